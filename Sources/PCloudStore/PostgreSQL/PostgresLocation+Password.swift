import Foundation

extension PostgresLocation {
    /// The password to send, read now: the password file's content, else the first matching pgpass
    /// line (`host:port:database:user:password`, `*` matches anything), else none (trust, peer).
    func password() throws -> String? {
        if let passwordFile {
            guard let text = FileManager.default.contents(atPath: passwordFile).map({ String(decoding: $0, as: UTF8.self) })
            else {
                throw StoreError.invalid("store password file: cannot read \(passwordFile)")
            }
            let password = text.trimmingCharacters(in: .newlines)
            guard !password.isEmpty else { throw StoreError.invalid("store password file: \(passwordFile) is empty") }
            return password
        }
        guard let pgpassFile else { return nil }
        guard let data = FileManager.default.contents(atPath: pgpassFile) else {
            throw StoreError.invalid("store passfile: cannot read \(pgpassFile)")
        }
        return Self.match(String(decoding: data, as: UTF8.self), host: pgpassHost, port: port, database: database, user: user)
    }

    var port: Int {
        switch endpoint {
        case .tcp(_, let port), .socket(_, let port): return port
        }
    }

    /// libpq matches a connection over the default socket directory as `localhost`.
    var pgpassHost: [String] {
        switch endpoint {
        case .tcp(let host, _): return [host]
        case .socket(let directory, _): return ["localhost", directory]
        }
    }

    /// The password of the first line matching, in pgpass(5) format (`\:` and `\\` escape).
    static func match(_ text: String, host: [String], port: Int, database: String, user: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [""]
            var escaped = false
            for character in line {
                if escaped {
                    fields[fields.count - 1].append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 5 {
                    fields.append("")
                } else {
                    fields[fields.count - 1].append(character)
                }
            }
            guard fields.count == 5 else { continue }
            let matches = { (field: String, values: [String]) in field == "*" || values.contains(field) }
            if matches(fields[0], host) && matches(fields[1], [String(port)]) && matches(fields[2], [database])
                && matches(fields[3], [user])
            {
                return fields[4]
            }
        }
        return nil
    }
}
