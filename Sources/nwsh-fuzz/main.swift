import Foundation
// libFuzzer's driver over one ``FuzzTarget``, named by NWSH_FUZZ_TARGET. Built only by
// scripts/fuzz (with -sanitize=fuzzer,address and -DFUZZING); see FUZZING.md.
import FuzzTargets

#if FUZZING
    import CFuzzer

    /// The target every input goes to.
    nonisolated(unsafe) var selected = FuzzTarget.json

    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    let name = ProcessInfo.processInfo.environment["NWSH_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(
            Data(
                "nwsh-fuzz: NWSH_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), not '\(name)'.\n"
                    .utf8))
        exit(2)
    }
    selected = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
    FileHandle.standardError.write(Data("nwsh-fuzz runs under libFuzzer only: build and run it with scripts/fuzz.\n".utf8))
    exit(2)
#endif
