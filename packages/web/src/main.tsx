import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import { createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Route, Routes } from "react-router";
import { adminRoutes } from "./admin/routes.tsx";
import { I18nProvider } from "./i18n/index.tsx";
import { Shell } from "./layout/Shell.tsx";
import { officeRoutes } from "./office/routes.tsx";
import { HomePage } from "./pages/HomePage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { publicRoutes } from "./public/routes.tsx";

// Government red as the primary accent, high-contrast text for office screens.
const theme = createTheme({
  primaryColor: "red",
  primaryShade: 8,
  defaultRadius: "sm",
  fontFamily: "system-ui, sans-serif",
});
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: 1 } } });

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <BrowserRouter>
            <Shell>
              <Routes>
                <Route path="/" element={<HomePage />} />
                <Route path="/login" element={<LoginPage />} />
                {publicRoutes}
                {adminRoutes}
                {officeRoutes}
              </Routes>
            </Shell>
          </BrowserRouter>
        </I18nProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
