import Foundation

/// Human byte counts for output lines: `512 B`, `1.5 GiB`, `230.0 MiB` (binary units, one decimal).
public enum ByteCount {
    /// `bytes` in the largest binary unit that keeps the value at or above 1.
    public static func text(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
