import { Box, Button, Flex, Group, NavLink as MantineNavLink, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useLocation } from "react-router";
import { api } from "../api/http.ts";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { type Me, useAdmin } from "./api.ts";
import { QueryView } from "./ui.tsx";

const SECTIONS: [string, MessageKey][] = [
  ["/admin", "admin.nav.overview"],
  ["/admin/stats", "admin.nav.stats"],
  ["/admin/agencies", "admin.nav.agencies"],
  ["/admin/systems", "admin.nav.systems"],
  ["/admin/certificates", "admin.nav.certificates"],
  ["/admin/queues", "admin.nav.queues"],
  ["/admin/failures", "admin.nav.failures"],
  ["/admin/federation", "admin.nav.federation"],
  ["/admin/evidence", "admin.nav.evidence"],
];

/** Frame of the node console: checks the session, then shows the section list and the page. */
export function AdminLayout() {
  const { t } = useI18n();
  const me = useAdmin<Me>("/admin/api/me");
  const location = useLocation();
  const queryClient = useQueryClient();

  async function logout() {
    await api("POST", "/admin/api/logout").catch(() => undefined);
    queryClient.clear();
    window.location.assign("/admin/login");
  }

  return (
    <QueryView query={me}>
      {(user) => (
        <Flex direction={{ base: "column", md: "row" }} gap="lg" align="flex-start">
          <Box
            component="nav"
            aria-label={t("admin.nav.label")}
            w={{ base: "100%", md: 230 }}
            style={{ flexShrink: 0 }}
          >
            <Stack gap={2}>
              {SECTIONS.map(([to, key]) => (
                <MantineNavLink
                  key={to}
                  component={NavLink}
                  to={to}
                  end={to === "/admin"}
                  label={t(key)}
                  active={to === "/admin" ? location.pathname === "/admin" : location.pathname.startsWith(to)}
                  color="red"
                  variant="light"
                />
              ))}
            </Stack>
            <Group mt="md" gap="xs" px="sm" wrap="wrap">
              <Text size="xs" c="dimmed">
                {t("admin.signedInAs")}: <b>{user.displayName}</b>
              </Text>
              <Button size="compact-sm" variant="default" onClick={logout}>
                {t("admin.logout")}
              </Button>
            </Group>
          </Box>
          <Box component="section" style={{ flex: 1, minWidth: 0 }} w="100%">
            <Outlet />
          </Box>
        </Flex>
      )}
    </QueryView>
  );
}
