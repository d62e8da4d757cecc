import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
benchGemm(threads: Int(arguments.first ?? "2") ?? 2, sizes: [256, 512, 1024, 2048], repeats: 5)
