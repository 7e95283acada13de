import CCurl
import Foundation
import Synchronization
import YidanCore

/// Owns one libcurl multi handle and drives it on a dedicated thread.
///
/// Why a thread and not an actor: `curl_multi_poll` blocks until a socket is
/// ready or a timeout passes. Blocking like that on Swift's cooperative pool
/// would starve every other task, so the poll loop lives on its own `Thread`.
/// Tasks hand transfers over through a mutex-protected queue and wake the
/// loop with `curl_multi_wakeup` (thread-safe, and sticky: a wakeup sent
/// before the loop polls makes the next poll return at once).
///
/// Everything below "loop thread only" is touched by that thread alone.
/// libcurl's connection cache lives in the multi handle, so connections are
/// kept alive and reused across transfers.
final class CurlMultiLoop: @unchecked Sendable {
    private struct State {
        var submitted: [CurlTransfer] = []
        var cancelRequests: [Int] = []
        var shuttingDown = false
        /// Set by the loop thread, under the lock, before `curl_multi_cleanup`.
        var finished = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
        var nextID = 0
    }

    private let multi: UnsafeMutableRawPointer
    private let state = Mutex(State())
    // Loop thread only:
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(configuration: CurlHTTPClient.Configuration) throws {
        guard CurlGlobal.isReady else {
            throw YidanError(.transport, "libcurl could not be initialised (code \(CurlGlobal.initCode.rawValue))")
        }
        guard let multi = curl_multi_init() else {
            throw YidanError(.transport, "libcurl could not create a multi handle")
        }
        self.multi = multi
        if configuration.maxConnectionsPerHost > 0 {
            _ = yidan_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        }
        _ = yidan_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.connectionCacheSize)
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "yidan-curl-multi"
        thread.start()
    }

    func makeID() -> Int {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Hands a transfer to the loop. Resumes `continuation` right away if the
    /// task is already cancelled or the loop is shut down.
    func submit(_ transfer: CurlTransfer, continuation: CheckedContinuation<HTTPClientResponse, any Error>) {
        let refusal: (any Error)? = state.withLock { state in
            // Checked under the lock: a cancellation handler that runs after
            // this point finds the transfer queued (see `cancel`).
            if Task.isCancelled { return CancellationError() }
            if state.shuttingDown { return YidanError(.transport, "the HTTP client is shut down") }
            transfer.continuation = continuation
            state.submitted.append(transfer)
            curl_multi_wakeup(multi)
            return nil
        }
        if let refusal { continuation.resume(throwing: refusal) }
    }

    /// Stops a transfer: still queued → resumed here; running → removed by the loop.
    func cancel(id: Int) {
        let queued: CurlTransfer? = state.withLock { state in
            if let index = state.submitted.firstIndex(where: { $0.id == id }) {
                return state.submitted.remove(at: index)
            }
            if !state.finished {
                state.cancelRequests.append(id)
                curl_multi_wakeup(multi)
            }
            return nil
        }
        if let queued, let continuation = queued.continuation {
            queued.continuation = nil
            continuation.resume(throwing: CancellationError())
        }
    }

    /// Asks the loop to stop without waiting (from `deinit`).
    func requestShutdown() {
        state.withLock { state in
            state.shuttingDown = true
            if !state.finished { curl_multi_wakeup(multi) }
        }
    }

    /// Stops the loop: queued and running transfers fail, then the multi handle
    /// is cleaned up. Returns when the thread is done with it.
    func shutdown() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.shuttingDown = true
                if state.finished { return true }
                state.shutdownWaiters.append(waiter)
                curl_multi_wakeup(multi)
                return false
            }
            if done { waiter.resume() }
        }
    }

    // MARK: Loop thread only

    private func runLoop() {
        var running: Int32 = 0
        while true {
            let (incoming, cancels, stopping) = state.withLock { state in
                defer {
                    state.submitted.removeAll()
                    state.cancelRequests.removeAll()
                }
                return (state.submitted, state.cancelRequests, state.shuttingDown)
            }
            for transfer in incoming {
                let code = curl_multi_add_handle(multi, transfer.handle)
                if code == CURLM_OK {
                    active[transfer.handle] = transfer
                } else {
                    let text = String(cString: curl_multi_strerror(code))
                    resume(transfer, with: .failure(YidanError(.transport, "libcurl could not start the transfer: \(text)")))
                }
            }
            for id in cancels {
                if let transfer = active.values.first(where: { $0.id == id }) {
                    detach(transfer)
                    resume(transfer, with: .failure(CancellationError()))
                }
            }
            if stopping { break }

            _ = curl_multi_perform(multi, &running)
            collectFinished()
            // Returns on socket activity, a libcurl timeout, a wakeup, or after a second.
            _ = yidan_curl_multi_poll(multi, 1000)
        }

        for transfer in Array(active.values) {
            detach(transfer)
            resume(transfer, with: .failure(YidanError(.transport, "the HTTP client shut down during the request")))
        }
        let (leftovers, waiters) = state.withLock { state in
            state.finished = true
            defer {
                state.submitted.removeAll()
                state.shutdownWaiters.removeAll()
            }
            return (state.submitted, state.shutdownWaiters)
        }
        for transfer in leftovers {
            resume(transfer, with: .failure(YidanError(.transport, "the HTTP client is shut down")))
        }
        curl_multi_cleanup(multi)
        for waiter in waiters { waiter.resume() }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard yidan_curl_msg_is_done(message) != 0, let handle = message.pointee.easy_handle,
                  let transfer = active[handle]
            else { continue }
            let result = transfer.result(for: yidan_curl_msg_result(message))
            detach(transfer)
            resume(transfer, with: result)
        }
    }

    /// Takes the easy handle out of the multi handle; it must happen before the
    /// transfer (and with it `curl_easy_cleanup`) goes away.
    private func detach(_ transfer: CurlTransfer) {
        curl_multi_remove_handle(multi, transfer.handle)
        active[transfer.handle] = nil
    }

    private func resume(_ transfer: CurlTransfer, with result: Result<HTTPClientResponse, any Error>) {
        guard let continuation = transfer.continuation else { return }
        transfer.continuation = nil
        continuation.resume(with: result)
    }
}
