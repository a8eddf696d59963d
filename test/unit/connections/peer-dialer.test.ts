import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import type { ChannelLink } from "../../../src/connections/channel-link.js"
import { PeerDialer } from "../../../src/connections/peer-dialer.js"
import { LanvaultError } from "../../../src/errors.js"
import { recordingLogger } from "../helpers/recording-logger.js"

/** A link that stays up until the test closes it, behind the one method the dialer uses. */
function fakeLink(remoteDeviceId: string) {
  const listeners: Array<(reason: string) => void> = []
  return {
    link: { remoteDeviceId, onClose: (listener: (reason: string) => void) => void listeners.push(listener) } as unknown as ChannelLink,
    close: () => listeners.forEach((listener) => listener("normal closure")),
  }
}

const refused = (reason: string) => new LanvaultError("PEER_REFUSED", `refused: ${reason}`, { data: { reason } })

describe("PeerDialer", () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.spyOn(Math, "random").mockReturnValue(0.5) // no jitter: waits are exactly the backoff
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it("retries a failed dial with a doubling wait, and is connected once a dial succeeds", async () => {
    const peer = fakeLink("b".repeat(32))
    const dial = vi.fn<(address: string) => Promise<ChannelLink>>()
      .mockRejectedValueOnce(new Error("ECONNREFUSED"))
      .mockRejectedValueOnce(new Error("ECONNREFUSED"))
      .mockResolvedValue(peer.link)
    const dialer = new PeerDialer({ logger: recordingLogger(), dial, isLinked: () => false }, { address: "10.0.0.2:47110", how: "static" })
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dial).toHaveBeenCalledTimes(1)
    expect(dialer.state).toBe("waiting")
    expect(dialer.lastError).toBe("ECONNREFUSED")
    await vi.advanceTimersByTimeAsync(999) // first wait after a failure: 2 × 500 ms
    expect(dial).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(dial).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1_999) // then 4 × 500 ms
    expect(dial).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(dial).toHaveBeenCalledTimes(3)
    expect(dial).toHaveBeenLastCalledWith("10.0.0.2:47110")
    expect(dialer).toMatchObject({ state: "connected", deviceId: "b".repeat(32), lastError: undefined })
    dialer.stop()
  })

  it("dials again after the link ends, from the first wait", async () => {
    const first = fakeLink("b".repeat(32))
    const second = fakeLink("b".repeat(32))
    const dial = vi.fn<(address: string) => Promise<ChannelLink>>().mockResolvedValueOnce(first.link).mockResolvedValueOnce(second.link)
    const dialer = new PeerDialer({ logger: recordingLogger(), dial, isLinked: () => false }, { address: "10.0.0.2:1", how: "known" })
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.state).toBe("connected")
    first.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer.state).toBe("waiting")
    await vi.advanceTimersByTimeAsync(500)
    expect(dial).toHaveBeenCalledTimes(2)
    expect(dialer.state).toBe("connected")
    dialer.stop()
  })

  it("a final refusal (revoked, unknown device…) waits the longest and says so in its state", async () => {
    const logger = recordingLogger()
    const dial = vi.fn<(address: string) => Promise<ChannelLink>>().mockRejectedValue(refused("revoked"))
    const dialer = new PeerDialer({ logger, dial, isLinked: () => false }, { address: "10.0.0.2:1", how: "manual" })
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dialer).toMatchObject({ state: "refused", lastError: "revoked" })
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: "error", fields: { address: "10.0.0.2:1", reason: "revoked" } }))
    await vi.advanceTimersByTimeAsync(29_999)
    expect(dial).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(dial).toHaveBeenCalledTimes(2)
    dialer.stop()
  })

  it("does not dial a device already linked the other way", async () => {
    const peer = fakeLink("c".repeat(32))
    let linked = false
    const dial = vi.fn<(address: string) => Promise<ChannelLink>>().mockResolvedValue(peer.link)
    const dialer = new PeerDialer({ logger: recordingLogger(), dial, isLinked: () => linked }, { address: "10.0.0.3:1", how: "mdns" })
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    linked = true // the device dialled us meanwhile
    peer.close()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(dial).toHaveBeenCalledTimes(1)
    linked = false
    await vi.advanceTimersByTimeAsync(3_000)
    expect(dial).toHaveBeenCalledTimes(2)
    dialer.stop()
  })

  it("stop() ends the loop at once, also while waiting, and is idempotent", async () => {
    const dial = vi.fn<(address: string) => Promise<ChannelLink>>().mockRejectedValue(new Error("EHOSTUNREACH"))
    const dialer = new PeerDialer({ logger: recordingLogger(), dial, isLinked: () => false }, { address: "10.0.0.4:1", how: "shared" })
    dialer.start()
    await vi.advanceTimersByTimeAsync(0)
    dialer.stop()
    dialer.stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(dial).toHaveBeenCalledTimes(1)
    expect(dialer.state).toBe("stopped")
    expect(vi.getTimerCount()).toBe(0)
  })
})
