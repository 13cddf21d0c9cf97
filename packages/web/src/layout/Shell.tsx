import "./shell.css";
import { Anchor, AppShell, Burger, Button, Group, Menu, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, NavLink } from "react-router";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";

/**
 * Main navigation, inline from `md` up and in the phone menu below. The same UI is served by
 * office deployments and by axis nodes: `on` says where an entry has an API behind it.
 */
const LINKS: { to: string; key: MessageKey; end?: boolean; on?: ServerKind }[] = [
  { to: "/", key: "nav.home", end: true },
  { to: "/kiem-tra", key: "nav.verify", on: "office" },
  { to: "/thong-ke", key: "nav.stats" },
  { to: "/login", key: "nav.login", on: "office" },
  { to: "/admin", key: "nav.admin", on: "axis" },
];

type ServerKind = "office" | "axis";

/** An axis node answers its console API in JSON; an office serves the UI page for that path. */
function useServerKind(): ServerKind {
  const { data } = useQuery({
    queryKey: ["server-kind"],
    queryFn: async (): Promise<ServerKind> => {
      const res = await fetch("/admin/api/me", { credentials: "same-origin" });
      return res.headers.get("content-type")?.includes("json") ? "axis" : "office";
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return data ?? "office";
}

/**
 * Page frame: a skip link, the header with the product name, the main navigation and the
 * language switch. Below `md` the navigation folds into a menu behind a burger button, so
 * the language switch always stays on screen (down to a 320 px phone).
 */
export function Shell({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const [menuOpen, menu] = useDisclosure(false);
  const kind = useServerKind();
  const links = LINKS.filter((l) => !l.on || l.on === kind);
  return (
    <AppShell header={{ height: 64 }} padding="md">
      <a className="skip-link" href="#main-content">
        {t("nav.skip")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            {/* The product name is the way home on a phone. */}
            <Title order={1} size="h4">
              <Anchor
                component={Link}
                to="/"
                c="red.9"
                underline="never"
                fw={700}
                fz="inherit"
                aria-label={`truc — ${t("nav.home")}`}
              >
                truc
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="lg" truncate>
              {t("app.name")}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
            <Group gap={4} component="nav" aria-label={t("nav.main")} wrap="nowrap" visibleFrom="md">
              {links.map((l) => (
                <Button
                  key={l.to}
                  component={NavLink}
                  to={l.to}
                  end={l.end}
                  variant="subtle"
                  color="dark"
                  size="compact-sm"
                >
                  {t(l.key)}
                </Button>
              ))}
            </Group>
            <Menu opened={menuOpen} onChange={menu.set} position="bottom-end" width={220} withinPortal>
              <Menu.Target>
                <Burger
                  opened={menuOpen}
                  hiddenFrom="md"
                  size="sm"
                  aria-label={t("nav.menu")}
                  aria-haspopup="menu"
                  aria-expanded={menuOpen}
                />
              </Menu.Target>
              <Menu.Dropdown aria-label={t("nav.main")}>
                {links.map((l) => (
                  <Menu.Item key={l.to} component={Link} to={l.to} fz="md">
                    {t(l.key)}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            <Button
              variant="default"
              size="compact-sm"
              lang={lang === "vi" ? "en" : "vi"}
              onClick={() => setLang(lang === "vi" ? "en" : "vi")}
            >
              {t("lang.switch")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main-content" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
