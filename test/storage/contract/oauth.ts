import { expect, test } from "bun:test"
import type { ClientRecord, OAuthStore, RefreshRecord } from "@/storage"
import { type DriverUnderTest, open } from "./driver"

const NOW = 1_000_000
const client = (clientId: string, fields: Partial<ClientRecord> = {}): ClientRecord => ({
  clientId,
  authMethod: "client_secret_basic",
  secretHash: "c2VjcmV0",
  redirectUris: ["https://client.example/callback"],
  grantTypes: ["authorization_code", "refresh_token"],
  scope: "openid read",
  metadata: { client_name: "Client", redirect_uris: ["https://client.example/callback"] },
  createdAt: NOW,
  ...fields,
})
const refresh = (tokenHash: string, fields: Partial<RefreshRecord> = {}): RefreshRecord => ({
  tokenHash,
  grantId: "g1",
  clientId: "c1",
  subject: "alice",
  scopes: ["openid", "read"],
  expiresAt: NOW + 3600,
  ...fields,
})

/** OAuth state: clients, refresh tokens, and rotation with reuse detection that holds under concurrency. */
export function oauthContract(driver: DriverUnderTest): void {
  const withOAuth = async (fn: (oauth: OAuthStore) => Promise<void>) => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    await fn(storage.oauth)
  }

  test("clients read back as registered (a public one without secret or scope); unused ones are pruned", async () => {
    await withOAuth(async (oauth) => {
      await oauth.addClient(client("c1"))
      const { secretHash: _s, scope: _sc, ...plain } = client("public", { authMethod: "none" })
      await oauth.addClient(plain)
      expect(await oauth.getClient("c1")).toEqual(client("c1"))
      expect(await oauth.getClient("public")).toEqual(plain)
      expect(await oauth.getClient("nobody")).toBeUndefined()
      await oauth.markClientUsed("c1", NOW + 1)
      await oauth.addClient(client("newer", { createdAt: NOW + 100 }))
      await oauth.addClient(client("newest", { createdAt: NOW + 200 }))
      // Never-used clients older than NOW + 50 go, and of the rest only the newest one is kept.
      expect(await oauth.pruneUnusedClients(NOW + 50, 1)).toBe(2)
      expect(await oauth.getClient("c1")).toBeDefined()
      expect(await oauth.getClient("public")).toBeUndefined()
      expect(await oauth.getClient("newer")).toBeUndefined()
      expect(await oauth.getClient("newest")).toBeDefined()
    })
  })

  test("a refresh token rotates once; presenting it again is reuse; other clients and expired tokens are unknown", async () => {
    await withOAuth(async (oauth) => {
      await oauth.addClient(client("c1"))
      await oauth.addClient(client("c2"))
      await oauth.addRefreshToken(refresh("t1"), NOW)
      await oauth.addRefreshToken(refresh("t2", { expiresAt: NOW + 10 }), NOW)
      expect(await oauth.findRefreshToken("t1")).toEqual(refresh("t1"))
      expect(await oauth.rotateRefreshToken("t1", "c2", NOW + 1)).toEqual({ status: "unknown" })
      expect(await oauth.rotateRefreshToken("t1", "c1", NOW + 1)).toEqual({ status: "rotated", record: refresh("t1") })
      expect(await oauth.rotateRefreshToken("t1", "c1", NOW + 2)).toEqual({ status: "reused", record: refresh("t1") })
      expect(await oauth.rotateRefreshToken("t2", "c1", NOW + 10)).toEqual({ status: "unknown" })
      expect(await oauth.rotateRefreshToken("none", "c1", NOW)).toEqual({ status: "unknown" })
      await oauth.addRefreshToken(refresh("t3", { grantId: "g2" }), NOW)
      expect(await oauth.revokeGrant("g1")).toBe(2)
      expect(await oauth.findRefreshToken("t1")).toBeUndefined()
      expect(await oauth.sweep(NOW + 3600)).toBe(1)
      expect(await oauth.findRefreshToken("t3")).toBeUndefined()
    })
  })

  test.skipIf(Boolean(driver.privateKv))(
    "of 20 concurrent rotations of one token across two connections, exactly one rotates",
    async () => {
      await using fresh = await driver.fresh()
      await using a = await open(fresh.settings)
      await using b = await open(fresh.settings)
      await a.oauth.addClient(client("c1"))
      await a.oauth.addRefreshToken(refresh("t1"), NOW)
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).oauth.rotateRefreshToken("t1", "c1", NOW + 1)),
      )
      expect(outcomes.filter((o) => o.status === "rotated")).toHaveLength(1)
      expect(outcomes.filter((o) => o.status === "reused")).toHaveLength(19)
    },
  )

  test("deleting a client deletes its refresh tokens", async () => {
    await withOAuth(async (oauth) => {
      await oauth.addClient(client("gone"))
      await oauth.addRefreshToken(refresh("t9", { clientId: "gone" }), NOW)
      expect(await oauth.pruneUnusedClients(NOW + 1, 0)).toBe(1)
      expect(await oauth.findRefreshToken("t9")).toBeUndefined()
    })
  })
}
