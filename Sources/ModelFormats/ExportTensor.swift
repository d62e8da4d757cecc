import MiniGPT

/// One tensor as a target format names and lays it out: F32 values, row-major in `shape`.
public struct ExportTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "ExportTensor \(name): \(values.count) values for shape \(shape)")
        (self.name, self.shape, self.values) = (name, shape, values)
    }
}

extension MiniGPT {
    /// The parameter `name` (minillm's state_dict name) as `exportName`, as stored.
    func exported(_ name: String, as exportName: String) -> ExportTensor {
        let tensor = layout[name]!
        return ExportTensor(name: exportName, shape: tensor.shape, values: Array(self.tensor(name)!))
    }

    /// The matrix `name` ([out, in], how minillm and `nn.Linear` store it) transposed to
    /// [in, out], how Hugging Face's `Conv1D` stores it.
    func exportedTransposed(_ name: String, as exportName: String) -> ExportTensor {
        let shape = layout[name]!.shape, rows = shape[0], cols = shape[1]
        let source = self.tensor(name)!
        var values = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols { values[c * rows + r] = source[r * cols + c] }
        }
        return ExportTensor(name: exportName, shape: [cols, rows], values: values)
    }
}
