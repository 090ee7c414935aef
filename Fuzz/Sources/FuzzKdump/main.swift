import CFuzzerDriver
import FuzzSupport

// libFuzzer target for the kdump parser; scripts/fuzz.sh builds and runs it.
Harness.writeSeedsIfAsked(.kdump)
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in Harness.run(.kdump, data, size) }
