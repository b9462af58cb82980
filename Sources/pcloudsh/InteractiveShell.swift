import ArgumentParser
import Foundation

/// The interactive shell: prompt `pcloudsh# `, `help`, `help CMD`, `history`, `!N`, and `quit`,
/// `exit` or end-of-file to leave. History is kept in ~/.pcloudsh_history.
struct InteractiveShell {
    let prompt = "pcloudsh# "
    let historyFile = URL(fileURLWithPath: ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory())
        .appendingPathComponent(".pcloudsh_history")

    func run() async {
        var history = loadHistory()
        print("Welcome to pcloudsh, the pcloud interface terminal\n\ntype \"help\" for help and quit to exit.")
        while true {
            print(prompt, terminator: "")
            fflush(nil)
            guard var line = readLine() else {
                print("")
                break
            }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("!"), let number = Int(line.dropFirst()), history.indices.contains(number - 1) {
                line = history[number - 1]
                print(line)
            }
            if line == "quit" || line == "exit" { break }
            history.append(line)
            appendHistory(line)
            let words: [String]
            do { words = try CommandLineWords.split(line) } catch {
                Dispatcher.printError("\(error)")
                continue
            }
            switch words.first {
            case "help":
                help(words.dropFirst().first)
            case "history":
                for (index, entry) in history.enumerated() { print(String(format: "%5d  %@", index + 1, entry)) }
            default:
                _ = await Dispatcher.run(words)
            }
        }
        print("Shell completed!")
    }

    private func help(_ command: String?) {
        guard let command else {
            print(PCloudShell.helpMessage())
            print("\nShell commands: help [COMMAND], history, !N (repeat entry N), quit, exit")
            return
        }
        guard let type = PCloudShell.configuration.subcommands.first(where: { $0.configuration.commandName == command }) else {
            Dispatcher.printError("no command '\(command)'; type help for the list")
            return
        }
        print(PCloudShell.helpMessage(for: type))
    }

    private func loadHistory() -> [String] {
        guard let text = try? String(contentsOf: historyFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).suffix(1000)
    }

    private func appendHistory(_ line: String) {
        guard let handle = try? FileHandle(forWritingTo: historyFile) else {
            try? (line + "\n").write(to: historyFile, atomically: true, encoding: .utf8)
            return
        }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }
}

/// Splits a shell line into words: whitespace separates, '…' and "…" quote, backslash escapes.
enum CommandLineWords {
    struct UnterminatedQuote: Error, CustomStringConvertible {
        var description: String { "unterminated quote" }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped { throw UnterminatedQuote() }
        if inWord { words.append(current) }
        return words
    }
}
