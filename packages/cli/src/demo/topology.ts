/**
 * The demo network: a national axis with two provincial LGSPs and one ministry platform
 * under it, and office (QLVB&ĐH) deployments serving agencies of the four kinds the
 * Government deals with (ministry, province, department, commune).
 *
 * Agency identifiers follow the real shapes (QĐ 20/2020 and the legacy QCVN 102 form, spec
 * §5) but the lower-level groups are illustrative: real ones are assigned by each parent body.
 */
export interface DemoAgency {
  /** QĐ 20 form. */
  code: string;
  /** Legacy QCVN 102 form (`DDD.CC.BB.AXX`). */
  code102: string;
  name: string;
  parentCode?: string;
  /** Unit that issues document notations, e.g. "UBND" in "12/UBND-VP". */
  abbreviation: string;
  place: string;
}

export interface DemoNode {
  id: string;
  role: "national" | "lgsp";
  /** OrganId written into TraceHeaders by this node. */
  organId: string;
  name: string;
  /** Port offset from --port-base. */
  portOffset: number;
  agencies: DemoAgency[];
}

export interface DemoOffice {
  id: string;
  name: string;
  /** The node this deployment connects to. */
  nodeId: string;
  portOffset: number;
  agencyCodes: string[];
}

export const DEMO_NODES: DemoNode[] = [
  {
    id: "vdxp",
    role: "national",
    organId: "000.00.00.G22",
    name: "Trục liên thông văn bản quốc gia",
    portOffset: 0,
    agencies: [
      {
        code: "G22",
        code102: "000.00.00.G22",
        name: "Văn phòng Chính phủ",
        abbreviation: "VPCP",
        place: "Hà Nội",
      },
    ],
  },
  {
    id: "lgsp-bnv",
    role: "lgsp",
    organId: "000.00.00.G09",
    name: "Nền tảng tích hợp Bộ Nội vụ",
    portOffset: 1,
    agencies: [
      { code: "G09", code102: "000.00.00.G09", name: "Bộ Nội vụ", abbreviation: "BNV", place: "Hà Nội" },
      {
        code: "G09.04",
        code102: "000.00.04.G09",
        name: "Cục Văn thư và Lưu trữ nhà nước",
        parentCode: "G09",
        abbreviation: "VTLTNN",
        place: "Hà Nội",
      },
    ],
  },
  {
    id: "lgsp-hn",
    role: "lgsp",
    organId: "000.00.00.H26",
    name: "LGSP thành phố Hà Nội",
    portOffset: 2,
    agencies: [
      {
        code: "H26",
        code102: "000.00.00.H26",
        name: "Ủy ban nhân dân thành phố Hà Nội",
        abbreviation: "UBND",
        place: "Hà Nội",
      },
      {
        code: "H26.12",
        code102: "000.00.12.H26",
        name: "Sở Nội vụ thành phố Hà Nội",
        parentCode: "H26",
        abbreviation: "SNV",
        place: "Hà Nội",
      },
      // Two test units for vendors: `truc conformance` runs between them (see run-demo.ts).
      {
        code: "H26.98",
        code102: "000.00.98.H26",
        name: "Đơn vị thử nghiệm kết nối A",
        parentCode: "H26",
        abbreviation: "TNKN",
        place: "Hà Nội",
      },
      {
        code: "H26.99",
        code102: "000.00.99.H26",
        name: "Đơn vị thử nghiệm kết nối B",
        parentCode: "H26",
        abbreviation: "TNKN",
        place: "Hà Nội",
      },
      {
        code: "H26.30.05",
        code102: "000.05.30.H26",
        name: "Ủy ban nhân dân xã Phù Đổng",
        parentCode: "H26",
        abbreviation: "UBND",
        place: "Phù Đổng",
      },
    ],
  },
  {
    id: "lgsp-dn",
    role: "lgsp",
    organId: "000.00.00.H17",
    name: "LGSP thành phố Đà Nẵng",
    portOffset: 3,
    agencies: [
      {
        code: "H17",
        code102: "000.00.00.H17",
        name: "Ủy ban nhân dân thành phố Đà Nẵng",
        abbreviation: "UBND",
        place: "Đà Nẵng",
      },
      {
        code: "H17.05",
        code102: "000.00.05.H17",
        name: "Sở Khoa học và Công nghệ thành phố Đà Nẵng",
        parentCode: "H17",
        abbreviation: "SKHCN",
        place: "Đà Nẵng",
      },
      {
        code: "H17.30.02",
        code102: "000.02.30.H17",
        name: "Ủy ban nhân dân xã Hòa Vang",
        parentCode: "H17",
        abbreviation: "UBND",
        place: "Hòa Vang",
      },
    ],
  },
];

export const DEMO_OFFICES: DemoOffice[] = [
  {
    id: "office-hn",
    name: "Phần mềm QLVB&ĐH dùng chung thành phố Hà Nội",
    nodeId: "lgsp-hn",
    portOffset: 0,
    agencyCodes: ["H26", "H26.12", "H26.30.05"],
  },
  {
    id: "office-dn",
    name: "Phần mềm QLVB&ĐH dùng chung thành phố Đà Nẵng",
    nodeId: "lgsp-dn",
    portOffset: 1,
    agencyCodes: ["H17", "H17.05", "H17.30.02"],
  },
  {
    id: "office-bnv",
    name: "Phần mềm QLVB&ĐH Bộ Nội vụ",
    nodeId: "lgsp-bnv",
    portOffset: 2,
    agencyCodes: ["G09", "G09.04"],
  },
];

/** SDKVXP systems of the two test units, both on the Hà Nội LGSP (conformance runner and peer). */
export const CONFORMANCE_SYSTEMS = [
  { systemId: "conformance-runner", nodeId: "lgsp-hn", agencyCode: "H26.98" },
  { systemId: "conformance-peer", nodeId: "lgsp-hn", agencyCode: "H26.99" },
] as const;

/** Roles seeded in every agency, with the demo login name of each. */
export const DEMO_ROLES = [
  { role: "van_thu", username: "vanthu", fullName: "Nguyễn Thị Văn Thư", position: "Văn thư" },
  { role: "lanh_dao", username: "lanhdao", fullName: "Trần Văn Lãnh Đạo", position: "Giám đốc" },
  { role: "chuyen_vien", username: "chuyenvien", fullName: "Lê Thị Chuyên Viên", position: "Chuyên viên" },
  { role: "quan_tri", username: "quantri", fullName: "Phạm Văn Quản Trị", position: "Quản trị hệ thống" },
] as const;

export function allAgencies(): DemoAgency[] {
  return DEMO_NODES.flatMap((n) => n.agencies);
}

export function agencyByCode(code: string): DemoAgency {
  const agency = allAgencies().find((a) => a.code === code);
  if (!agency) throw new Error(`unknown demo agency ${code}`);
  return agency;
}

/** Title of the head of an agency, as printed above the signature. */
export function leaderPosition(code: string): string {
  const agency = agencyByCode(code);
  if (agency.code.startsWith("G") && !agency.parentCode) return "Bộ trưởng";
  return agency.abbreviation === "UBND" ? "Chủ tịch" : "Giám đốc";
}
