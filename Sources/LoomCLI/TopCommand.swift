import ArgumentParser
import Foundation
import LoomCompute

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `loom top [--attach PATH] [--once] [--json] [--interval S]`: a live view of a running runtime's statistics, read
/// from its console socket (`LOOM_CONSOLE` in that program).
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show a running runtime's threads and queues, live, from its console socket.",
        discussion: """
            The program must serve a console: LOOM_CONSOLE=/path/to.sock (or --loom-console, or \
            LoomBuilder.console(path:)). Per thread: kernel name, CPUs, busy %, jobs/s, steals/s, parks/s and what \
            it does; per pool: queue depths; the bridge's p50/p99 round trip. Rates are over the last interval \
            (with --once: averages since the runtime started). --json prints the snapshot itself, one JSON object \
            per line. Exit code 1 when the console cannot be reached or is not a Loom console.
            """
    )

    @Option(
        help: ArgumentHelp("The console socket (default: $LOOM_CONSOLE).", valueName: "path")
    )
    var attach: String?

    @Flag(help: "Print one snapshot and exit.")
    var once = false

    @Flag(help: "Print the snapshots as JSON, one object per line.")
    var json = false

    @Option(help: ArgumentHelp("Seconds between two refreshes (default: 1).", valueName: "seconds"))
    var interval: Double = 1

    func validate() throws {
        guard self.interval.isFinite, self.interval >= 0.05, self.interval <= 3600 else {
            throw ValidationError("--interval needs a number of seconds from 0.05 to 3600, not \(self.interval).")
        }
        if self.path == nil {
            throw ValidationError("Give the console socket with --attach PATH or in LOOM_CONSOLE.")
        }
    }

    private var path: String? {
        self.attach ?? ProcessInfo.processInfo.environment["LOOM_CONSOLE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func run() throws {
        do {
            try self.watch(self.path!, output: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) })
        } catch let failure {
            if case .wentAway = failure, !self.once {
                StandardError.write(failure.description)
                return  // Watching until the program exits is a normal end.
            }
            StandardError.write("error: \(failure.description)")
            throw ExitCode(1)
        }
    }

    /// Connects, then prints one snapshot (`--once`) or refreshes until the runtime goes away.
    func watch(_ path: String, output: (String) -> Void) throws(ConsoleClient.Failure) {
        let client = try ConsoleClient(path: path)
        var previous: LoomStatistics?
        let interactive = isatty(STDOUT_FILENO) == 1 && !self.json
        while true {
            let (statistics, line) = try client.statistics()
            if self.json {
                output(line)
            } else {
                let lines = TopView.render(statistics, previous: previous, width: Self.terminalWidth())
                output(
                    (interactive ? "\u{1B}[H\u{1B}[2J" : "") + lines.joined(separator: "\n") + (interactive ? "" : "\n")
                )
            }
            if self.once { return }
            previous = statistics
            usleep(useconds_t(self.interval * 1e6))
        }
    }

    /// The terminal's width (`TIOCGWINSZ`, else `COLUMNS`, else 100).
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return 100
    }
}

/// What `loom top` draws for one snapshot: pure, so it is tested on its own.
enum TopView {
    /// The lines for `current`, with rates against `previous` (or averages since the start without one), each cut
    /// to `width` columns.
    static func render(_ current: LoomStatistics, previous: LoomStatistics?, width: Int) -> [String] {
        let elapsed: Double
        if let previous, current.uptimeNanoseconds > previous.uptimeNanoseconds {
            elapsed = Double(current.uptimeNanoseconds - previous.uptimeNanoseconds) / 1e9
        } else {
            elapsed = max(Double(current.uptimeNanoseconds) / 1e9, 1e-9)
        }
        let base = previous.flatMap { $0.uptimeNanoseconds < current.uptimeNanoseconds ? $0 : nil }
        var lines: [String] = []
        let window = base == nil ? "averaged since the start" : String(format: "over the last %.1f s", elapsed)
        lines.append(
            "loom top — runtime '\(current.prefix)', up \(Self.duration(current.uptimeNanoseconds)), rates \(window)"
        )
        lines.append(
            "tracked in flight: \(current.asyncTasksInFlight) async, \(current.computeTasksInFlight) compute"
                + "   " + Self.latency("spawnCompute", current.spawnComputeLatency, base?.spawnComputeLatency)
                + "   " + Self.latency("computeMap item", current.computeMapItemLatency, base?.computeMapItemLatency)
        )
        for pool in [current.asyncPool, current.computePool] {
            let before = pool.pool == .async ? base?.asyncPool : base?.computePool
            lines.append("")
            lines.append(
                "\(pool.pool) pool: \(pool.threads.count) thread(s), queued \(pool.queueDepth) "
                    + "(shared \(pool.sharedQueueDepth)), \(pool.sleepers) asleep, \(pool.searching) searching"
            )
            lines.append(Self.row(["THREAD", "CPUS", "BUSY%", "JOBS/s", "STEALS/s", "PARKS/s", "QUEUE", "STATE"]))
            for thread in pool.threads {
                let old = before?.threads.first { $0.index == thread.index }
                lines.append(
                    Self.row([
                        thread.kernelName,
                        thread.cpus.isEmpty ? "-" : thread.cpus,
                        Self.busyPercent(thread, old),
                        Self.rate(thread.jobsRun, old?.jobsRun, elapsed),
                        Self.rate(thread.steals, old?.steals, elapsed),
                        Self.rate(thread.parks, old?.parks, elapsed),
                        "\(thread.queueDepth)",
                        thread.activity.rawValue,
                    ])
                )
            }
        }
        return lines.map { Self.cut($0, to: width) }
    }

    private static let widths = [16, 8, 6, 10, 9, 8, 6, 9]

    private static func row(_ cells: [String]) -> String {
        zip(cells, Self.widths).map { cell, width in
            cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined().trimmingCharacters(in: .whitespaces)
    }

    private static func cut(_ line: String, to width: Int) -> String {
        let width = max(width, 1)
        return line.count <= width ? line : String(line.prefix(max(width - 1, 0))) + "…"
    }

    private static func rate(_ now: UInt64, _ before: UInt64?, _ seconds: Double) -> String {
        let delta = now >= (before ?? 0) ? now - (before ?? 0) : 0
        let perSecond = Double(delta) / seconds
        return perSecond >= 100 ? String(format: "%.0f", perSecond) : String(format: "%.1f", perSecond)
    }

    private static func busyPercent(
        _ thread: LoomStatistics.ThreadStatistics,
        _ before: LoomStatistics.ThreadStatistics?
    ) -> String {
        guard let busy = thread.busyNanoseconds, let idle = thread.idleNanoseconds else { return "-" }
        let oldBusy = before?.busyNanoseconds ?? 0
        let oldIdle = before?.idleNanoseconds ?? 0
        let deltaBusy = busy >= oldBusy ? busy - oldBusy : 0
        let deltaIdle = idle >= oldIdle ? idle - oldIdle : 0
        let total = deltaBusy + deltaIdle
        guard total > 0 else { return "-" }
        return String(format: "%.0f", Double(deltaBusy) * 100 / Double(total))
    }

    private static func latency(
        _ name: String,
        _ histogram: LoomStatistics.LatencyHistogram,
        _ before: LoomStatistics.LatencyHistogram?
    ) -> String {
        let window = before.map { histogram.subtracting($0) } ?? histogram
        guard let p50 = window.quantile(0.5), let p99 = window.quantile(0.99) else { return "\(name): -" }
        return "\(name) p50 \(Self.duration(p50)) p99 \(Self.duration(p99))"
    }

    private static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return Self.duration(UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000)))
    }

    private static func duration(_ nanoseconds: UInt64) -> String {
        switch nanoseconds {
        case ..<1_000: "\(nanoseconds) ns"
        case ..<1_000_000: String(format: "%.1f µs", Double(nanoseconds) / 1e3)
        case ..<1_000_000_000: String(format: "%.1f ms", Double(nanoseconds) / 1e6)
        default: String(format: "%.1f s", Double(nanoseconds) / 1e9)
        }
    }
}
