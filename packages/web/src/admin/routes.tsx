/** Routes of the node console and the statistics pages, mounted by main.tsx inside <Routes>. */
import { Route } from "react-router";
import { AdminStatsPage } from "../stats/AdminStatsPage.tsx";
import { PublicStatsPage } from "../stats/PublicStatsPage.tsx";
import { AdminLayout } from "./AdminLayout.tsx";
import { AdminLoginPage } from "./AdminLoginPage.tsx";
import { AgenciesPage } from "./AgenciesPage.tsx";
import { AgencyPage } from "./AgencyPage.tsx";
import { CertificatesPage } from "./CertificatesPage.tsx";
import { EvidencePage } from "./EvidencePage.tsx";
import { FailuresPage } from "./FailuresPage.tsx";
import { FederationPage } from "./FederationPage.tsx";
import { OverviewPage } from "./OverviewPage.tsx";
import { QueuesPage } from "./QueuesPage.tsx";
import { SystemsPage } from "./SystemsPage.tsx";

export const adminRoutes = (
  <>
    <Route path="/thong-ke" element={<PublicStatsPage />} />
    <Route path="/stats" element={<PublicStatsPage />} />
    <Route path="/admin/login" element={<AdminLoginPage />} />
    <Route path="/admin" element={<AdminLayout />}>
      <Route index element={<OverviewPage />} />
      <Route path="stats" element={<AdminStatsPage />} />
      <Route path="agencies" element={<AgenciesPage />} />
      <Route path="agencies/:code" element={<AgencyPage />} />
      <Route path="systems" element={<SystemsPage />} />
      <Route path="certificates" element={<CertificatesPage />} />
      <Route path="queues" element={<QueuesPage />} />
      <Route path="failures" element={<FailuresPage />} />
      <Route path="federation" element={<FederationPage />} />
      <Route path="evidence" element={<EvidencePage />} />
    </Route>
  </>
);
