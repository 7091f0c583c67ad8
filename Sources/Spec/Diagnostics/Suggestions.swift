/// "Did you mean …?" support: the closest known word by edit distance.
enum Suggestions {
    /// Levenshtein distance between two strings, compared by Unicode scalar.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs.unicodeScalars)
        let right = Array(rhs.unicodeScalars)
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for (row, leftScalar) in left.enumerated() {
            current[0] = row + 1
            for (column, rightScalar) in right.enumerated() {
                let substitution = previous[column] + (leftScalar == rightScalar ? 0 : 1)
                current[column + 1] = min(substitution, previous[column + 1] + 1, current[column] + 1)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }

    /// The candidate closest to `word` when it is close enough to be a plausible typo
    /// (distance ≤ 1/3 of the longer word, at least 1, at most 3; case and `-`/`_` differences count as 0).
    static func closest(to word: String, in candidates: [String]) -> String? {
        let normalized = normalize(word)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(normalized, normalize(candidate))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let limit = min(3, max(1, max(word.count, best.candidate.count) / 3))
        return best.distance <= limit ? best.candidate : nil
    }

    /// `did you mean `x`?` hint text, or a list of what is allowed when nothing is close.
    static func hint(for word: String, in candidates: [String], listing: String = "valid keys") -> String {
        if let match = closest(to: word, in: candidates) {
            return "did you mean `\(match)`?"
        }
        return "\(listing): " + candidates.joined(separator: ", ")
    }

    private static func normalize(_ word: String) -> String {
        String(word.lowercased().map { $0 == "-" ? "_" : $0 })
    }
}
