/**
 * Frame of the office screens: checks the session (a 401 goes to the login page), then shows
 * the sections of the user's roles and the page. On a phone the sections become a row of
 * buttons above the page.
 */
import { Box, Button, Flex, Group, NavLink as MantineNavLink, ScrollArea, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { ApiError, api, setCsrfToken } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type Role, type SessionView, useSession } from "./api.ts";
import { ErrorAlert, Loading } from "./ui.tsx";

const SessionContext = createContext<SessionView | null>(null);

export function useMe(): SessionView {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe outside OfficeLayout");
  return me;
}

export const hasRole = (me: SessionView, ...roles: Role[]) => me.user.roles.some((r) => roles.includes(r));

const SECTIONS: [string, MessageKey, Role[]][] = [
  ["/office/inbox", "office.nav.inbox", ["van_thu"]],
  ["/office/digitise", "office.nav.digitise", ["van_thu"]],
  ["/office/issue", "office.nav.issue", ["van_thu"]],
  ["/office/registers", "office.nav.registers", ["van_thu", "lanh_dao", "quan_tri"]],
  ["/office/approvals", "office.nav.approvals", ["lanh_dao"]],
  ["/office/work", "office.nav.work", ["chuyen_vien", "lanh_dao"]],
  ["/office/drafts/new", "office.nav.draft", ["chuyen_vien", "van_thu", "lanh_dao"]],
  ["/office/outgoing", "office.nav.outgoing", ["van_thu", "lanh_dao", "chuyen_vien", "quan_tri"]],
  ["/office/case-files", "office.nav.caseFiles", ["van_thu", "lanh_dao", "chuyen_vien"]],
  ["/office/search", "office.nav.search", ["van_thu", "lanh_dao", "chuyen_vien", "quan_tri"]],
];

/** The first screen of a role. */
export function homeOf(me: SessionView): string {
  if (hasRole(me, "van_thu")) return "/office/inbox";
  if (hasRole(me, "lanh_dao")) return "/office/approvals";
  if (hasRole(me, "chuyen_vien")) return "/office/work";
  return "/office/search";
}

export function OfficeHome() {
  return <Navigate to={homeOf(useMe())} replace />;
}

export function OfficeLayout() {
  const { t } = useI18n();
  const session = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  const unauthenticated = session.error instanceof ApiError && session.error.status === 401;

  useEffect(() => {
    if (unauthenticated)
      window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }, [unauthenticated, location.pathname, location.search]);

  async function logout() {
    await api("DELETE", "/api/session").catch(() => undefined);
    setCsrfToken(undefined);
    queryClient.clear();
    window.location.assign("/login");
  }

  if (session.isPending || unauthenticated) return <Loading />;
  if (session.isError) return <ErrorAlert error={session.error} />;
  const me = session.data;
  const sections = SECTIONS.filter(([, , roles]) => hasRole(me, ...roles));
  const roleNames = me.user.roles.map((r) => t(`office.role.${r}` as MessageKey)).join(", ");

  return (
    <SessionContext.Provider value={me}>
      <Flex direction={{ base: "column", md: "row" }} gap={{ base: "sm", md: "lg" }} align="flex-start">
        <Box
          component="nav"
          aria-label={t("office.nav.label")}
          w={{ base: "100%", md: 220 }}
          style={{ flexShrink: 0 }}
          data-print-hide
        >
          <Box px="sm" pb="xs">
            <Text size="sm" fw={700} lh={1.3}>
              {me.user.fullName}
            </Text>
            <Text size="xs" c="dimmed" lh={1.3}>
              {me.user.position} · {roleNames}
            </Text>
            <Text size="xs" c="dimmed" lh={1.3}>
              {me.agency.name}
            </Text>
          </Box>
          <Stack gap={2} visibleFrom="md">
            {sections.map(([to, key]) => (
              <MantineNavLink
                key={to}
                component={NavLink}
                to={to}
                label={t(key)}
                active={location.pathname.startsWith(to)}
                variant="filled"
                color="red.8"
              />
            ))}
            <Button mt="md" mx="sm" size="compact-sm" variant="default" onClick={logout}>
              {t("office.logout")}
            </Button>
          </Stack>
          <ScrollArea hiddenFrom="md" type="auto" offsetScrollbars>
            <Group gap={6} wrap="nowrap" pb={4}>
              {sections.map(([to, key]) => (
                <Button
                  key={to}
                  component={NavLink}
                  to={to}
                  size="compact-sm"
                  style={{ flexShrink: 0 }}
                  variant={location.pathname.startsWith(to) ? "filled" : "default"}
                >
                  {t(key)}
                </Button>
              ))}
              <Button size="compact-sm" variant="subtle" onClick={logout} style={{ flexShrink: 0 }}>
                {t("office.logout")}
              </Button>
            </Group>
          </ScrollArea>
        </Box>
        <Box component="section" style={{ flex: 1, minWidth: 0 }} w="100%">
          <Outlet />
        </Box>
      </Flex>
    </SessionContext.Provider>
  );
}
