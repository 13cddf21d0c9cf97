/** Routes of the office screens (văn thư, lãnh đạo, chuyên viên, search), mounted by main.tsx. */
import "./print.css";
import { Route } from "react-router";
import { ApprovalsPage } from "./ApprovalsPage.tsx";
import { CaseFilePage, CaseFilesPage } from "./CaseFilesPage.tsx";
import { DigitisePage } from "./DigitisePage.tsx";
import { DraftPage } from "./DraftPage.tsx";
import { InboxPage } from "./InboxPage.tsx";
import { IncomingPage } from "./IncomingPage.tsx";
import { IssuePage } from "./IssuePage.tsx";
import { OfficeHome, OfficeLayout } from "./OfficeLayout.tsx";
import { OutgoingListPage } from "./OutgoingListPage.tsx";
import { OutgoingPage } from "./OutgoingPage.tsx";
import { RegistersPage } from "./RegistersPage.tsx";
import { SearchPage } from "./SearchPage.tsx";
import { WorkPage } from "./WorkPage.tsx";

export const officeRoutes = (
  <Route path="/office" element={<OfficeLayout />}>
    <Route index element={<OfficeHome />} />
    <Route path="inbox" element={<InboxPage />} />
    <Route path="issue" element={<IssuePage />} />
    <Route path="registers" element={<RegistersPage />} />
    <Route path="approvals" element={<ApprovalsPage />} />
    <Route path="work" element={<WorkPage />} />
    <Route path="drafts/new" element={<DraftPage />} />
    <Route path="outgoing" element={<OutgoingListPage />} />
    <Route path="outgoing/:id" element={<OutgoingPage />} />
    <Route path="incoming/:id" element={<IncomingPage />} />
    <Route path="search" element={<SearchPage />} />
    <Route path="digitise" element={<DigitisePage />} />
    <Route path="case-files" element={<CaseFilesPage />} />
    <Route path="case-files/:id" element={<CaseFilePage />} />
  </Route>
);
