/// Where `expected` stops appearing, in order, within `kinds` (an event history): the first
/// expected kind not found and the position it was looked for from; nil when every one appears in
/// that order (other kinds may come between).
public func firstMissing(_ expected: [String], inOrderIn kinds: [String]) -> (kind: String, after: Int)? {
    var position = kinds.startIndex
    for kind in expected {
        guard let found = kinds[position...].firstIndex(of: kind) else { return (kind, position) }
        position = found + 1
    }
    return nil
}
