/**
 * The least any node must do per package, as a same-run ceiling for the axis benchmark: take
 * the package over mutual TLS, hash it twice (its content address and the digest its signature
 * covers), check one RSA signature, make one RSA signature of its own (the re-signed package),
 * and durably INSERT the bytes — one statement per package, as the bare-insert ceiling does —
 * before answering 201. No XML, no routing, no mailbox, no evidence: whatever a real node
 * spends beyond this is its own overhead; what this floor spends is the machine's.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Database } from "@truc/store";
import { sql } from "kysely";

export interface FloorNode {
  url: string;
  close(): Promise<void>;
}

export async function startFloorNode(o: {
  db: Database;
  tls: { cert: string; key: string; ca: string };
}): Promise<FloorNode> {
  const table = "truc_bench_floor";
  await o.db.kysely.schema
    .createTable(table)
    .ifNotExists()
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("body", "bytea", (c) => c.notNull())
    .execute();
  await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN body SET STORAGE EXTERNAL`.execute(o.db.kysely);
  const key = createPrivateKey(o.tls.key);
  const publicKey = createPublicKey(o.tls.cert);
  const signedInfo = Buffer.alloc(256, 1);
  const signature = sign("sha256", signedInfo, key);

  const server = createServer(
    { cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (chunk: Buffer) => parts.push(chunk));
      req.on("end", async () => {
        try {
          const body = Buffer.concat(parts);
          createHash("sha256").update(body).digest();
          createHash("sha256").update(body).digest();
          if (!verify("sha256", signedInfo, publicKey, signature)) throw new Error("signature");
          sign("sha256", signedInfo, key);
          await o.db.kysely
            .insertInto(table as never)
            .values({ body } as never)
            .execute();
          res.writeHead(201, { "content-type": "application/json" }).end('{"ok":true}');
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await o.db.kysely.schema.dropTable(table).execute();
    },
  };
}
