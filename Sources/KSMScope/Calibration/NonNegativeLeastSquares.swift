/// Least squares with non-negative unknowns: `min ‖A x − b‖` subject to `x ≥ 0`, by Lawson and
/// Hanson's active-set algorithm ("Solving Least Squares Problems", 1974, ch. 23), each step
/// solved by Householder QR. Sized for calibration: tens of unknowns, hundreds of rows.
///
/// Columns are scaled to unit length first (the solution set does not change, the conditioning
/// does: the columns count things from one full scan to half a million tree levels).
public enum NonNegativeLeastSquares {
    /// The solution `x ≥ 0` minimising `‖A x − b‖`; zero columns get 0.
    ///
    /// - Parameters:
    ///   - rows: `A`, one array of `n` values per row.
    ///   - b: the targets, one per row.
    public static func solve(rows: [[Double]], b: [Double]) -> [Double] {
        guard let n = rows.first?.count, n > 0 else { return [] }
        precondition(rows.count == b.count && rows.allSatisfy { $0.count == n }, "A and b do not match")
        var scale = [Double](repeating: 0, count: n)
        for row in rows { for j in 0..<n { scale[j] += row[j] * row[j] } }
        scale = scale.map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
        let a = rows.map { row in (0..<n).map { row[$0] * scale[$0] } }

        var x = [Double](repeating: 0, count: n)
        var passive = [Bool](repeating: false, count: n)
        let tolerance = 1e-12 * max(1, b.reduce(0) { $0 + $1 * $1 }.squareRoot())
        for _ in 0..<(3 * n + 10) {
            let gradient = Self.gradient(a, b, x)
            guard
                let j = (0..<n).filter({ !passive[$0] && scale[$0] > 0 && gradient[$0] > tolerance })
                    .max(by: { gradient[$0] < gradient[$1] })
            else { break }
            passive[j] = true
            for _ in 0..<(3 * n + 10) {
                let columns = (0..<n).filter { passive[$0] }
                let solution = leastSquares(a.map { row in columns.map { row[$0] } }, b)
                var s = [Double](repeating: 0, count: n)
                for (index, column) in columns.enumerated() { s[column] = solution[index] }
                if columns.allSatisfy({ s[$0] > 0 }) {
                    x = s
                    break
                }
                // Step back towards x until the first unknown reaches zero, and drop it.
                var alpha = 1.0
                for column in columns where s[column] <= 0 {
                    let step = x[column] / (x[column] - s[column])
                    if step < alpha { alpha = step }
                }
                for column in 0..<n { x[column] += alpha * (s[column] - x[column]) }
                for column in columns where x[column] <= 1e-15 {
                    passive[column] = false
                    x[column] = 0
                }
            }
        }
        return (0..<n).map { x[$0] * scale[$0] }
    }

    /// `Aᵀ (b − A x)`.
    private static func gradient(_ a: [[Double]], _ b: [Double], _ x: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: x.count)
        for (row, target) in zip(a, b) {
            var residual = target
            for j in 0..<x.count { residual -= row[j] * x[j] }
            for j in 0..<x.count { gradient[j] += row[j] * residual }
        }
        return gradient
    }

    /// Unconstrained least squares by Householder QR; columns that are (numerically)
    /// dependent on earlier ones get 0.
    public static func leastSquares(_ rows: [[Double]], _ b: [Double]) -> [Double] {
        guard let n = rows.first?.count, n > 0 else { return [] }
        let m = rows.count
        var r = rows
        var y = b
        var rank = [Bool](repeating: true, count: n)
        for k in 0..<min(n, m) {
            var norm = 0.0
            for i in k..<m { norm += r[i][k] * r[i][k] }
            norm = norm.squareRoot()
            if norm < 1e-12 {
                rank[k] = false
                continue
            }
            let alpha = r[k][k] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: m)
            for i in k..<m { v[i] = r[i][k] }
            v[k] -= alpha
            var vv = 0.0
            for i in k..<m { vv += v[i] * v[i] }
            guard vv > 0 else { continue }
            for j in k..<n {
                var dot = 0.0
                for i in k..<m { dot += v[i] * r[i][j] }
                let factor = 2 * dot / vv
                for i in k..<m { r[i][j] -= factor * v[i] }
            }
            var dot = 0.0
            for i in k..<m { dot += v[i] * y[i] }
            let factor = 2 * dot / vv
            for i in k..<m { y[i] -= factor * v[i] }
        }
        var x = [Double](repeating: 0, count: n)
        for k in stride(from: min(n, m) - 1, through: 0, by: -1) where rank[k] && abs(r[k][k]) > 1e-12 {
            var sum = y[k]
            for j in (k + 1)..<n { sum -= r[k][j] * x[j] }
            x[k] = sum / r[k][k]
        }
        return x
    }
}
