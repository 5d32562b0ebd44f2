import Foundation
import MirageData
import Testing

@Suite struct TensorBoardEventFileTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mirage.tfevents").path

    @Test func crc32cMatchesItsCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)   // the standard check value
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)   // RFC 3720, B.4
        #expect(CRC32C.masked([UInt8]()) == 0xA282_EAD8)                       // masking a zero CRC
    }

    /// The protobuf documentation's examples: field 1 = 150 and field 2 = "testing".
    @Test func protobufEncodingMatchesTheSpecification() throws {
        var m = ProtobufEncoder()
        m.int(1, 150)
        m.string(2, "testing")
        #expect(m.bytes == [0x08, 0x96, 0x01, 0x12, 0x07] + Array("testing".utf8))
        var n = ProtobufEncoder()
        n.int(3, -1)
        n.float(4, 1.5)
        n.double(5, -2)
        #expect(n.bytes.count == 1 + 10 + 1 + 4 + 1 + 8)
        let fields = try ProtobufDecoder.fields(n.bytes)
        #expect(fields.map(\.0) == [3, 4, 5])
        #expect(fields[0].1 == .varint(UInt64.max) && fields[1].1 == .fixed32(Float(1.5).bitPattern)
                && fields[2].1 == .fixed64(Double(-2).bitPattern))
        #expect(throws: DataError.self) { try ProtobufDecoder.fields([0x12, 0x07, 0x74]) }
    }

    /// What the writer wrote reads back event by event, and byte for byte as the committed
    /// fixture that `scripts/check_tensorboard_events.py` reads with TensorBoard's own loader.
    @Test func writesWhatTensorBoardReads() throws {
        let dir = TemporaryFolder()
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        let file = try TensorBoardEventFile(folder: dir.path, wallTime: t0)
        #expect((file.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        try file.scalar("loss", 0.25, step: 100, wallTime: t0.addingTimeInterval(1))
        let png = try PNG.encode(RasterImage(width: 2, height: 1, channels: 1, filledWith: 200))
        try file.image("samples", png: png, width: 2, height: 1, channels: 1, step: 100, wallTime: t0.addingTimeInterval(2))
        try file.text("config", "```json\n{\"kind\": \"vae\"}\n```", step: 0, wallTime: t0.addingTimeInterval(3))
        let events = try TensorBoardEventFile.events(at: file.path)
        #expect(events.count == 4)
        #expect(events[0].fileVersion == "brain.Event:2" && events[0].wallTime == 1_700_000_000 && events[0].values.isEmpty)
        #expect(events[1].step == 100 && events[1].values.map(\.tag) == ["loss"] && events[1].values[0].value == .scalar(0.25))
        #expect(events[2].values[0].value == .image(width: 2, height: 1, channels: 1, png: png))
        #expect(events[3].values[0].value == .text("```json\n{\"kind\": \"vae\"}\n```") && events[3].wallTime == 1_700_000_003)
        let bytes = try FileBytes.read(file.path)
        if ProcessInfo.processInfo.environment["MIRAGE_RECORD_FIXTURES"] == "1" {
            try Data(bytes).write(to: URL(fileURLWithPath: Self.fixture))
            Issue.record("recorded \(Self.fixture); rerun without MIRAGE_RECORD_FIXTURES to check it")
        }
        #expect(bytes == (try FileBytes.read(Self.fixture)), "the event file's bytes changed; check it with scripts/check_tensorboard_events.py")
        // A second writer in the same second gets a file of its own.
        let second = try TensorBoardEventFile(folder: dir.path, wallTime: t0)
        #expect(second.path != file.path)
    }

    @Test func aDamagedRecordIsReportedWithItsFile() throws {
        let dir = TemporaryFolder()
        let good = try FileBytes.read(Self.fixture)
        var flipped = good
        flipped[40] ^= 0x01
        let bad = dir.write("flipped.tfevents", flipped)
        #expect { try TensorBoardEventFile.records(at: bad) } throws: { "\($0)".contains(bad) && "\($0)".contains("checksum") }
        let cut = dir.write("cut.tfevents", Array(good.prefix(good.count - 3)))
        #expect { try TensorBoardEventFile.records(at: cut) } throws: { "\($0)".contains(cut) }
    }
}
