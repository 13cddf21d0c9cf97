import { Alert, Button, Container, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import { ApiError, api, setCsrfToken } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";

/**
 * Office sign-in: `POST /api/session` with username and password, then the TOTP code when the
 * server answers OFFICE_TOTP_REQUIRED. The CSRF token of the new session is kept for later calls.
 */
export function LoginPage() {
  const { t, lang } = useI18n();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const totpCode = String(form.get("totpCode") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const session = await api<{ csrfToken: string }>("POST", "/api/session", {
        username: String(form.get("username") ?? "").trim(),
        password: String(form.get("password") ?? ""),
        ...(totpCode ? { totpCode } : {}),
      });
      setCsrfToken(session.csrfToken);
      const next = params.get("next");
      // Only a local path: never follow `next` to another site.
      window.location.assign(next?.startsWith("/office") ? next : "/office");
    } catch (e) {
      if (e instanceof ApiError && e.code === "OFFICE_TOTP_REQUIRED") {
        setNeedTotp(true);
        setError(t("office.login.totpNeeded"));
      } else setError(e instanceof ApiError ? e.messages[lang] : t("error.network"));
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
            <TextInput name="username" label={t("login.username")} required autoComplete="username" />
            <PasswordInput
              name="password"
              label={t("login.password")}
              required
              autoComplete="current-password"
            />
            <TextInput
              name="totpCode"
              label={t("login.totp")}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={10}
              required={needTotp}
            />
            {error && (
              <Alert
                color={needTotp ? "blue" : "red"}
                title={needTotp ? undefined : t("login.failed")}
                role="alert"
              >
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
