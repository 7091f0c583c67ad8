// TEMP until Provisioner lands
enum InsecureKeys { static let all: [String] = [] }
