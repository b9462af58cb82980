/// The first element `stream` yields within `limit` that `matches` (any, by default), or nil when
/// none comes (or the stream ends): a test waiting for something pushed fails instead of hanging
/// when it never is.
public func firstElement<Element: Sendable>(
    of stream: AsyncStream<Element>, within limit: Duration,
    where matches: @escaping @Sendable (Element) -> Bool = { _ in true }
) async -> Element? {
    await withTaskGroup(of: Element?.self) { group in
        group.addTask { await stream.first(where: matches) }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return await group.next() ?? nil
    }
}
