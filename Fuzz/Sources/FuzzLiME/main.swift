import CFuzzerDriver
import FuzzSupport

// libFuzzer target for the lime parser; scripts/fuzz.sh builds and runs it.
Harness.writeSeedsIfAsked(.lime)
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in Harness.run(.lime, data, size) }
