import CFuzzerDriver
import FuzzSupport

// libFuzzer target for the detect parser; scripts/fuzz.sh builds and runs it.
Harness.writeSeedsIfAsked(.detect)
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in Harness.run(.detect, data, size) }
