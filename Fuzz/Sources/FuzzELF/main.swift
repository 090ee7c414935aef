import CFuzzerDriver
import FuzzSupport

// libFuzzer target for the elf parser; scripts/fuzz.sh builds and runs it.
Harness.writeSeedsIfAsked(.elf)
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in Harness.run(.elf, data, size) }
