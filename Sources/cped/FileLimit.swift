import Foundation
import Logging

/// cped holds a descriptor per API connection, guest session and store handle: its soft limit on
/// open files is raised to the hard limit at start (the unit sets `LimitNOFILE=`), and logged.
enum FileLimit {
    static func raiseToHardLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("open files limit: cannot read it: \(String(cString: strerror(errno)))")
            return
        }
        let soft = limit.rlim_cur
        guard soft < limit.rlim_max else {
            logger.info("open files limit: \(shown(soft)) (the hard limit)")
            return
        }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            logger.info("open files limit: raised from \(shown(soft)) to the hard limit \(shown(limit.rlim_max))")
        } else {
            logger.warning(
                "open files limit: stays \(shown(soft)), raising it to \(shown(limit.rlim_max)) failed: \(String(cString: strerror(errno)))")
        }
    }

    private static func shown(_ value: rlim_t) -> String {
        value == rlim_t.max ? "unlimited" : "\(value)"
    }
}
