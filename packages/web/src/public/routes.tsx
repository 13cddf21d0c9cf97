/** Routes of the public verification page (no account), mounted by main.tsx. */
import { Route } from "react-router";
import { VerifyCodePage, VerifyPage } from "./VerifyPage.tsx";

export const publicRoutes = (
  <>
    <Route path="/kiem-tra" element={<VerifyPage />} />
    <Route path="/kiem-tra/:code" element={<VerifyCodePage />} />
    <Route path="/verify" element={<VerifyPage />} />
  </>
);
