import { Anchor, AppShell, Button, Group, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link, NavLink } from "react-router";
import { useI18n } from "../i18n/index.tsx";

/** Page frame: header with the product name, main navigation and the language switch. */
export function Shell({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  return (
    <AppShell header={{ height: 64 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            {/* The product name is the way home on a phone, where the "Trang chủ" button is hidden. */}
            <Title order={1} size="h4">
              <Anchor
                component={Link}
                to="/"
                c="red.8"
                underline="never"
                fw={700}
                fz="inherit"
                aria-label={`truc — ${t("nav.home")}`}
              >
                truc
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {t("app.name")}
            </Text>
          </Group>
          <Group gap="xs" component="nav" aria-label={t("nav.home")} wrap="nowrap">
            <Button component={NavLink} to="/" variant="subtle" size="compact-sm" visibleFrom="sm">
              {t("nav.home")}
            </Button>
            <Button component={NavLink} to="/thong-ke" variant="subtle" size="compact-sm">
              {t("nav.stats")}
            </Button>
            <Button component={NavLink} to="/login" variant="subtle" size="compact-sm">
              {t("nav.login")}
            </Button>
            <Button component={NavLink} to="/admin" variant="subtle" size="compact-sm" visibleFrom="sm">
              {t("nav.admin")}
            </Button>
            <Button variant="default" size="compact-sm" onClick={() => setLang(lang === "vi" ? "en" : "vi")}>
              {t("lang.switch")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
