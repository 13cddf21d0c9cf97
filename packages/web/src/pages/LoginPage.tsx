import { Alert, Button, Container, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";

export function LoginPage() {
  const { t, lang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/auth/login", Object.fromEntries(form));
      window.location.assign("/office");
    } catch (e) {
      setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size={420} mt="xl">
      <Paper withBorder p="lg" radius="md">
        <Title order={2} size="h3" mb="md">
          {t("login.title")}
        </Title>
        <form onSubmit={submit}>
          <Stack>
            <TextInput name="agency" label={t("login.agency")} required autoComplete="organization" />
            <TextInput name="username" label={t("login.username")} required autoComplete="username" />
            <PasswordInput
              name="password"
              label={t("login.password")}
              required
              autoComplete="current-password"
            />
            <TextInput name="totp" label={t("login.totp")} inputMode="numeric" autoComplete="one-time-code" />
            {error && (
              <Alert color="red" title={t("login.failed")} role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {t("login.submit")}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
