import { Alert, Button, Container, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";

export function AdminLoginPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/admin/api/login", {
        username: form.get("username"),
        password: form.get("password"),
      });
      const next = params.get("next");
      // Only same-site paths under /admin: never an open redirect.
      navigate(next?.startsWith("/admin") && !next.startsWith("//") ? next : "/admin");
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size={440} mt="xl">
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h3" mb="xs">
          {t("admin.login.title")}
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          {t("admin.login.hint")}
        </Text>
        <form onSubmit={submit}>
          <Stack>
            <TextInput name="username" label={t("admin.login.username")} required autoComplete="username" />
            <PasswordInput
              name="password"
              label={t("admin.login.password")}
              required
              autoComplete="current-password"
            />
            {error && (
              <Alert color="red" title={t("admin.login.failed")} role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {t("admin.login.submit")}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
