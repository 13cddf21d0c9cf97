import { Card, Container, SimpleGrid, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/index.tsx";

export function HomePage() {
  const { t } = useI18n();
  const areas = [
    { to: "/login", title: t("home.office"), text: t("home.officeText") },
    { to: "/kiem-tra", title: t("home.verify"), text: t("home.verifyText") },
    { to: "/thong-ke", title: t("home.stats"), text: t("home.statsText") },
  ];
  return (
    <Container size="lg">
      <Title order={2} mt="md">
        {t("app.name")}
      </Title>
      <Text c="dimmed" mb="lg">
        {t("app.tagline")}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {areas.map((a) => (
          <Card key={a.to} component={Link} to={a.to} withBorder padding="lg">
            <Title order={3} size="h5">
              {a.title}
            </Title>
            <Text size="sm" mt="xs">
              {a.text}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
    </Container>
  );
}
