/**
 * `truc demo`: the whole network on one machine, on the embedded store (SQLite files in one
 * data directory), no services needed. Started again on the same directory, it resumes.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Lang } from "../output.ts";
import { DemoDriver, SEED_DOCUMENTS, trafficPlans } from "./documents.ts";
import { startNetwork } from "./network.ts";
import { demoUsername, startOffices } from "./offices.ts";
import { openDemoPki, servePki } from "./pki.ts";
import { type DemoState, loadOrCreateState, saveState } from "./state.ts";
import { CONFORMANCE_SYSTEMS, DEMO_NODES, DEMO_OFFICES, DEMO_ROLES } from "./topology.ts";

export interface DemoOptions {
  dataDir: string;
  host: string;
  portBase: number;
  traffic: number;
  lang: Lang;
  /** Start, seed, print, then stop (tests and CI). */
  once: boolean;
  log(line: string): void;
  progress(line: string): void;
}

/** Offsets from --port-base: axis nodes 0–9, office deployments 10–19, PKI 20. */
const OFFICE_PORTS = 10;
const PKI_PORT = 20;

export interface RunningDemo {
  officeUrls: Record<string, string>;
  nodeUrls: Record<string, string>;
  pkiUrl: string;
  close(): Promise<void>;
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const dataDir = resolve(o.dataDir);
  const { state, fresh } = loadOrCreateState(dataDir);
  const vi = o.lang === "vi";
  o.progress(
    vi
      ? fresh
        ? "Tạo dữ liệu trình diễn mới"
        : "Tiếp tục dữ liệu cũ"
      : fresh
        ? "New demo data"
        : "Resuming",
  );
  await ensureWebBuilt(o);

  o.progress(vi ? "Hạ tầng khóa công khai (CA, OCSP, TSA)" : "PKI (CA, OCSP, TSA)");
  const pkiUrl = `http://${o.host}:${o.portBase + PKI_PORT}`;
  const pki = await openDemoPki(dataDir, state, pkiUrl);
  const pkiServer = await servePki(pki, o.host, o.portBase + PKI_PORT);
  saveState(dataDir, state);

  const closers: Array<() => Promise<void>> = [
    () => new Promise<void>((r) => pkiServer.server.close(() => r())),
  ];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const network = await startNetwork({
      dataDir,
      state,
      pki,
      host: o.host,
      portBase: o.portBase,
      onProgress: o.progress,
    });
    closers.push(() => network.close());
    saveState(dataDir, state);

    const offices = await startOffices({
      dataDir,
      state,
      pki,
      pkiUrl,
      host: o.host,
      portBase: o.portBase + OFFICE_PORTS,
      nodeUrl: network.urlOf,
      onProgress: o.progress,
    });
    closers.push(async () => {
      await Promise.allSettled(offices.map((x) => x.running.close()));
    });
    saveState(dataDir, state);

    const driver = new DemoDriver(offices, state.userPassword);
    if (!state.seeded.documents) {
      for (const [i, plan] of SEED_DOCUMENTS.entries()) {
        o.progress(
          `${vi ? "Văn bản mẫu" : "Sample document"} ${i + 1}/${SEED_DOCUMENTS.length}: ${plan.subject}`,
        );
        await driver.run(plan);
      }
      state.seeded.documents = true;
      saveState(dataDir, state);
    }
    if (o.traffic > 0) {
      const codes = DEMO_OFFICES.flatMap((x) => x.agencyCodes);
      const plans = trafficPlans(o.traffic, codes, Date.now() % 100_000);
      for (const [i, plan] of plans.entries()) {
        o.progress(
          `${vi ? "Lưu lượng" : "Traffic"} ${i + 1}/${plans.length}: ${plan.from} → ${plan.to.join(", ")}`,
        );
        await driver.run(plan);
      }
    }

    // The conformance runner signs its report with a certificate of test unit A.
    await pki.signer(
      "conformance-runner",
      "organisation-outgoing",
      "C=VN, L=Hà Nội, CN=ĐƠN VỊ THỬ NGHIỆM KẾT NỐI A",
    );
    saveState(dataDir, state);
    writeConformanceEnv(dataDir, pki.caPems, network.urlOf, state);
    const officeUrls = Object.fromEntries(offices.map((x) => [x.office.id, x.url]));
    const nodeUrls = Object.fromEntries([...network.nodes].map(([id, n]) => [id, n.url]));
    printWelcome(o, officeUrls, nodeUrls, pkiUrl, state, dataDir);
    return { officeUrls, nodeUrls, pkiUrl, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Connection settings of the two test units for `truc conformance`, in an env file readable by
 * the owner only (it holds the HMAC secrets, which are never printed).
 */
function writeConformanceEnv(
  dataDir: string,
  caPems: string[],
  nodeUrl: (nodeId: string) => string,
  state: DemoState,
): void {
  const [runner, peer] = CONFORMANCE_SYSTEMS;
  const secrets = state.systemSecrets;
  writeFileSync(join(dataDir, "pki", "ca-chain.pem"), caPems.join(""));
  const lines = [
    `TRUC_ENDPOINT=${nodeUrl(runner.nodeId)}`,
    `TRUC_SYSTEM_ID=${runner.systemId}`,
    `TRUC_AGENCY=${runner.agencyCode}`,
    `TRUC_SECRET=${secrets[runner.systemId]}`,
    `TRUC_PEER_SECRET=${secrets[peer.systemId]}`,
    `TRUC_CA=${join(dataDir, "pki", "ca-chain.pem")}`,
    // Opens the demo CA directory as the key store holding the runner's key.
    `TRUC_KEY_PASSWORD=${state.caPassphrase}`,
  ];
  writeFileSync(join(dataDir, "conformance.env"), `${lines.join("\n")}\n`, { mode: 0o600 });
}

async function ensureWebBuilt(o: DemoOptions): Promise<void> {
  const { isWebBuilt, webDistDir } = await import("@truc/web");
  if (isWebBuilt()) return;
  o.progress(o.lang === "vi" ? "Dựng giao diện web (lần đầu)" : "Building the web UI (first run)");
  const { build } = await import("vite");
  await build({ root: resolve(webDistDir, ".."), logLevel: "warn" });
}

function printWelcome(
  o: DemoOptions,
  officeUrls: Record<string, string>,
  nodeUrls: Record<string, string>,
  pkiUrl: string,
  state: DemoState,
  dataDir: string,
): void {
  const password = state.userPassword;
  const vi = o.lang === "vi";
  const lines: string[] = [""];
  lines.push(vi ? "Mạng trình diễn truc đã sẵn sàng." : "The truc demo network is ready.");
  lines.push("");
  lines.push(
    vi ? "Phần mềm quản lý văn bản (mở trong trình duyệt):" : "Document management (open in a browser):",
  );
  for (const office of DEMO_OFFICES) {
    lines.push(`  ${officeUrls[office.id]}   ${office.name}`);
    lines.push(`      ${vi ? "cơ quan" : "agencies"}: ${office.agencyCodes.join(", ")}`);
  }
  lines.push("");
  lines.push(vi ? "Tài khoản (mật khẩu chung của bản trình diễn):" : "Logins (shared demo password):");
  lines.push(`  ${vi ? "mật khẩu" : "password"}: ${password}`);
  for (const role of DEMO_ROLES)
    lines.push(`  ${demoUsername(role.username, "<mã cơ quan>")}   (${role.position})`);
  lines.push(
    `  ${vi ? "ví dụ" : "e.g."}: ${demoUsername("vanthu", "H17.05")}, ${demoUsername("lanhdao", "H26.12")}`,
  );
  lines.push("");
  lines.push(
    vi ? "Các nút trục liên thông (HTTPS, chứng thư thử nghiệm):" : "Axis nodes (HTTPS, test certificates):",
  );
  for (const node of DEMO_NODES) lines.push(`  ${nodeUrls[node.id]}   ${node.name}`);
  lines.push(
    vi
      ? `  quản trị nút: <URL>/admin, tài khoản admin, mật khẩu trong ${join("<thư mục dữ liệu>", "nodes", "<nút>", "admin-initial-password.txt")}`
      : `  node console: <URL>/admin, user admin, password in ${join("<data dir>", "nodes", "<node>", "admin-initial-password.txt")}`,
  );
  lines.push(
    `  ${vi ? "thống kê công khai" : "public statistics"}: ${nodeUrls.vdxp}/thong-ke, ${vi ? "hoặc" : "or"} ${officeUrls["office-hn"]}/thong-ke`,
  );
  lines.push(`  PKI (CRL, OCSP, TSA): ${pkiUrl}`);
  lines.push("");
  lines.push(vi ? "Thử trước:" : "Try first:");
  lines.push(
    vi
      ? `  1. Mở ${officeUrls["office-dn"]}, đăng nhập ${demoUsername("vanthu", "H17")}: văn bản của Bộ Nội vụ đang chờ vào sổ.`
      : `  1. Open ${officeUrls["office-dn"]}, log in as ${demoUsername("vanthu", "H17")}: a Ministry document waits to be registered.`,
  );
  lines.push(
    vi
      ? `  2. Đăng nhập ${demoUsername("chuyenvien", "H26.12")} tại ${officeUrls["office-hn"]}, soạn văn bản gửi Sở KH&CN Đà Nẵng; lãnh đạo duyệt, ký; văn thư cấp số, đóng dấu, phát hành.`
      : `  2. Log in as ${demoUsername("chuyenvien", "H26.12")} at ${officeUrls["office-hn"]}, draft a document to H17.05; the leader approves and signs; the clerk numbers, seals and issues.`,
  );
  lines.push(
    vi
      ? "  3. Theo dõi trạng thái 01–06 của từng nơi nhận trong trang văn bản đi."
      : "  3. Watch each recipient's statuses 01–06 on the outgoing document's page.",
  );
  lines.push("");
  const [, peer] = CONFORMANCE_SYSTEMS;
  const serial = state.serials["organisation-outgoing:conformance-runner"];
  lines.push(
    vi
      ? "Kiểm tra tuân thủ kết nối (trong một cửa sổ khác):"
      : "Connection conformance suite (in another terminal):",
  );
  lines.push(
    `  set -a; . ${join(dataDir, "conformance.env")}; set +a; npm run truc -- conformance --peer-system-id ${peer.systemId} --peer-agency ${peer.agencyCode} --report-dir ${join(dataDir, "conformance")} --key-store ${join(dataDir, "pki")} --serial ${serial}`,
  );
  lines.push("");
  lines.push(
    vi ? "Nhấn Ctrl-C để dừng; chạy lại lệnh để tiếp tục." : "Press Ctrl-C to stop; run again to resume.",
  );
  for (const line of lines) o.log(line);
}
