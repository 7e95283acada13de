import Foundation
import Testing
import YidanCore

@Suite("Message guids: UUID version 7, upper case, ordered by creation time")
struct MessageGUIDTests {
    @Test("36 upper-case characters in UUID form, version 7, RFC variant, the time in the first 48 bits")
    func shape() throws {
        let now = Date(timeIntervalSince1970: 1_764_480_000.123_9)
        let guid = MessageGUID.make(now: now)
        #expect(guid.count == 36)
        #expect(guid == guid.uppercased())
        let uuid = try #require(UUID(uuidString: guid))
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_764_480_000_123)
    }

    @Test("later guids sort after earlier ones; guids of the same millisecond differ")
    func ordered() {
        let start = Date(timeIntervalSince1970: 1_764_480_000)
        let guids = (0..<200).map { MessageGUID.make(now: start.addingTimeInterval(Double($0) * 0.002)) }
        #expect(guids == guids.sorted())
        let sameInstant = (0..<1_000).map { _ in MessageGUID.make(now: start) }
        #expect(Set(sameInstant).count == 1_000)
    }
}
