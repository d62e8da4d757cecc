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

    /// The token embeddings times the model's embedding scale: the standard architectures have no
    /// multiplier, and with an untied head the table is read only as the input, so it folds in.
    func exportedTokenEmbedding(as exportName: String) -> ExportTensor {
        let scale = config.embeddingScale
        return ExportTensor(name: exportName, shape: layout["tok_emb.weight"]!.shape,
                            values: self.tensor("tok_emb.weight")!.map { $0 * scale })
    }

    /// Rows `rows` of the matrix `name` (one of q|k|v, or the gate or up half of SwiGLU's fc).
    func exportedRows(_ name: String, _ rows: Range<Int>, as exportName: String) -> ExportTensor {
        let cols = layout[name]!.shape[1]
        let values = Array(self.tensor(name)![(rows.lowerBound * cols)..<(rows.upperBound * cols)])
        return ExportTensor(name: exportName, shape: [rows.count, cols], values: values)
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

extension ExportTensor {
    /// Each head's rows from RoPE's rotate-half pairing (i, i + hw/2), minillm's and transformers',
    /// to the adjacent pairing (2i, 2i + 1) of llama.cpp's `llama` architecture: what
    /// convert_hf_to_gguf.py does to q and k for it.
    func interleavingRotaryPairs(heads: Int) -> ExportTensor {
        let cols = shape[1], headWidth = shape[0] / heads, half = headWidth / 2
        var out = [Float](repeating: 0, count: values.count)
        for h in 0..<heads {
            for i in 0..<half {
                for s in 0..<2 {
                    let from = (h * headWidth + s * half + i) * cols, to = (h * headWidth + 2 * i + s) * cols
                    out[to..<to + cols] = values[from..<from + cols]
                }
            }
        }
        return ExportTensor(name: name, shape: shape, values: out)
    }
}
