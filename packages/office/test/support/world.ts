/** Two agencies on one office deployment, with their people, over a test axis. */
import { migrate } from "@truc/store";
import type { DialectContext } from "@truc/store/testing";
import { edxmlCodec } from "../../src/adapters/edxml-codec.ts";
import type { Role } from "../../src/domain/access.ts";
import type { AxisGateway, DocumentConverter, DocumentSigner, SignatureValidator } from "../../src/ports.ts";
import { OFFICE_MIGRATIONS } from "../../src/repositories/migrations.ts";
import type { Actor, OfficeDeps } from "../../src/services/context.ts";
import { createUnit, createUser } from "../../src/services/manage-people.ts";
import { provisionAgency } from "../../src/services/provision-agency.ts";
import { InMemoryAxis, markerSigner, markerValidator, noConverter } from "./fakes.ts";

export class TestClock {
  constructor(public current: Date) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface AgencyPeople {
  agencyId: string;
  code: string;
  admin: Actor;
  clerk: Actor;
  leader: Actor;
  deputy: Actor;
  specialist: Actor;
  unitId: string;
}

export interface World {
  deps: OfficeDeps;
  axis: InMemoryAxis;
  clock: TestClock;
  a: AgencyPeople;
  b: AgencyPeople;
}

const PASSWORD = "mật-khẩu-thử-nghiệm";

export { PASSWORD };

let counter = 0;

export async function makeWorld(
  ctx: DialectContext,
  options: {
    gateway?: AxisGateway;
    converter?: DocumentConverter;
    signer?: DocumentSigner;
    validator?: SignatureValidator;
    start?: Date;
  } = {},
): Promise<World> {
  await migrate(ctx.db(), OFFICE_MIGRATIONS);
  const axis = new InMemoryAxis();
  const clock = new TestClock(options.start ?? new Date("2025-03-05T02:00:00Z"));
  const deps: OfficeDeps = {
    db: ctx.db(),
    blobs: ctx.blobs(),
    clock,
    codec: edxmlCodec,
    gateway: options.gateway ?? axis,
    signer: options.signer ?? markerSigner,
    validator: options.validator ?? markerValidator,
    converter: options.converter ?? noConverter,
  };
  const world = counter++;
  const agency = (code: string, name: string, abbreviation: string, place: string) =>
    provisionPeople(deps, {
      code,
      name,
      abbreviation,
      place,
      prefix: `${abbreviation.toLowerCase()}${world}`,
    });
  const suffix = String(world).padStart(2, "0");
  return {
    deps,
    axis,
    clock,
    a: await agency(`H29.12.${suffix}`, "Sở Nội vụ Thành phố Hồ Chí Minh", "SNV", "TP. Hồ Chí Minh"),
    b: await agency(`G09.${suffix}`, "Bộ Nội vụ", "BNV", "Hà Nội"),
  };
}

/** An agency with an administrator, a unit, a clerk, a head (leader), a deputy and a specialist. */
export async function provisionPeople(
  deps: OfficeDeps,
  input: { code: string; name: string; abbreviation: string; place: string; prefix: string },
): Promise<AgencyPeople> {
  const { code, prefix } = input;
  const { agencyId, adminId } = await provisionAgency(deps, {
    code,
    name: input.name,
    abbreviation: input.abbreviation,
    place: input.place,
    admin: { username: `${prefix}.admin`, fullName: "Quản trị", password: PASSWORD },
  });
  const admin: Actor = { userId: adminId, agencyId, agencyCode: code, roles: ["quan_tri"] };
  const { id: unitId } = await createUnit(deps, admin, { name: "Văn phòng", abbreviation: "VP" });
  const user = async (
    username: string,
    fullName: string,
    position: string,
    roles: Role[],
    isHead = false,
  ): Promise<Actor> => {
    const { id } = await createUser(deps, admin, {
      username: `${prefix}.${username}`,
      fullName,
      position,
      password: PASSWORD,
      roles,
      unitId,
      isHead,
    });
    return { userId: id, agencyId, agencyCode: code, roles };
  };
  return {
    agencyId,
    code,
    admin,
    unitId,
    clerk: await user("vanthu", "Trần Thị Văn Thư", "Văn thư", ["van_thu"]),
    leader: await user("giamdoc", "Nguyễn Văn Đức", "Giám đốc", ["lanh_dao"], true),
    deputy: await user("phogiamdoc", "Lê Thị Phó", "Phó Giám đốc", ["lanh_dao"]),
    specialist: await user("chuyenvien", "Phạm Văn Chuyên", "Chuyên viên", ["chuyen_vien"]),
  };
}
