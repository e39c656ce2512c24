import { isIPv4, isIPv6 } from "node:net"

type Range = readonly [prefix: number[], bits: number]

/** IPv4 blocks that are not globally routable unicast (RFC 6890 and friends). */
const V4_BLOCKED: Range[] = [
  [[0], 8], // "this network", includes 0.0.0.0
  [[10], 8],
  [[100, 64], 10], // carrier-grade NAT
  [[127], 8],
  [[169, 254], 16], // link-local, cloud metadata 169.254.169.254
  [[172, 16], 12],
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // TEST-NET-1
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16],
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // TEST-NET-2
  [[203, 0, 113], 24], // TEST-NET-3
  [[224], 4], // multicast
  [[240], 4], // reserved, includes 255.255.255.255
]

/** Blocks inside 2000::/3 (global unicast) that are still special. Everything outside 2000::/3 is refused. */
const V6_BLOCKED_GLOBAL: Range[] = [
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments: Teredo, ORCHID, benchmarking…
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x20, 0x02], 16], // 6to4
  [[0x3f, 0xff, 0x00], 20], // documentation (RFC 9637)
]

const NAT64: Range = [[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96]
const MAPPED: Range = [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96]

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3
    const mask = 0x80 >> (i & 7)
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false
  }
  return true
}

function v4Bytes(ip: string): number[] {
  return ip.split(".").map(Number)
}

/** Parses an IPv6 literal (no zone id) into 16 bytes. */
function v6Bytes(ip: string): number[] {
  let text = ip
  const tail: number[] = []
  const dotted = text.match(/:(\d+\.\d+\.\d+\.\d+)$/)
  if (dotted?.[1]) {
    tail.push(...v4Bytes(dotted[1]))
    text = `${text.slice(0, -dotted[1].length)}0:0`
  }
  const [head = "", rest] = text.split("::")
  const groups = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [])
  const left = groups(head)
  const right = rest === undefined ? [] : groups(rest)
  const words = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right]
  const bytes = words.flatMap((w) => [(w >> 8) & 255, w & 255])
  if (tail.length) bytes.splice(12, 4, ...tail)
  return bytes
}

/** True only for globally routable unicast addresses; mapped and NAT64 forms are judged by their IPv4 part. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "")
  if (isIPv4(ip)) {
    const bytes = v4Bytes(ip)
    return !V4_BLOCKED.some((range) => inRange(bytes, range))
  }
  if (!isIPv6(ip) || ip.includes("%")) return false
  const bytes = v6Bytes(ip)
  if (inRange(bytes, MAPPED) || inRange(bytes, NAT64)) return isPublicAddress(bytes.slice(12).join("."))
  if (!inRange(bytes, [[0x20], 3])) return false
  return !V6_BLOCKED_GLOBAL.some((range) => inRange(bytes, range))
}
