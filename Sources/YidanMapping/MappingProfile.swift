public import Foundation
import Yams
import YidanCore

/// The enterprise's transport profile, `Mappings/profile.yaml`: who sends the
/// messages (CEB `BaseTransfer`) and its ids on the data-exchange platform.
public struct MappingProfile: Sendable, Equatable {
    /// BaseTransfer `copCode`: customs registration code of the transmitting enterprise.
    public var copCode: String
    /// BaseTransfer `copName`.
    public var copName: String
    /// BaseTransfer `dxpMode`, `DXP` for the China E-Port data-exchange platform.
    public var dxpMode: String
    /// BaseTransfer `dxpId`: the enterprise's user id on the data-exchange platform.
    public var dxpId: String
    /// BaseTransfer `note`.
    public var note: String?
    /// DxpMsg `SenderId` (usually the same as `dxpId`).
    public var dxpSenderId: String
    /// DxpMsg `ReceiverId`: the customs node that receives CEB messages.
    public var dxpReceiverId: String
    /// CEB621 `areaName` for bonded (1210) imports: the bonded warehouse enterprise.
    public var bondedAreaName: String?

    public init(
        copCode: String, copName: String, dxpMode: String = "DXP", dxpId: String, note: String? = nil,
        dxpSenderId: String, dxpReceiverId: String, bondedAreaName: String? = nil
    ) {
        self.copCode = copCode
        self.copName = copName
        self.dxpMode = dxpMode
        self.dxpId = dxpId
        self.note = note
        self.dxpSenderId = dxpSenderId
        self.dxpReceiverId = dxpReceiverId
        self.bondedAreaName = bondedAreaName
    }

    /// Reads `profile.yaml`:
    ///
    ///     baseTransfer: {copCode: …, copName: …, dxpMode: DXP, dxpId: …, note: …}
    ///     dxp: {senderId: …, receiverId: …}
    ///     bondedArea: {name: …}
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read \(url.lastPathComponent)", cause: error)
        }
        try self.init(yaml: text, file: url.lastPathComponent)
    }

    init(yaml text: String, file: String) throws {
        let root: Node.Mapping
        do {
            guard let mapping = try Yams.compose(yaml: text)?.mapping else {
                throw YidanError(.configuration, "\(file) must be a mapping with baseTransfer and dxp")
            }
            root = mapping
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.configuration, "\(file) is not valid YAML", cause: error)
        }
        func section(_ name: String) throws -> Node.Mapping {
            guard let mapping = root[name]?.mapping else {
                throw YidanError(.configuration, "\(file): section \(name) is missing")
            }
            return mapping
        }
        func required(_ mapping: Node.Mapping, _ section: String, _ key: String) throws -> String {
            guard let value = mapping[key]?.string, !value.isEmpty else {
                throw YidanError(.configuration, "\(file): \(section).\(key) is required")
            }
            return value
        }
        func optional(_ mapping: Node.Mapping?, _ key: String) -> String? {
            guard let value = mapping?[key]?.string, !value.isEmpty else { return nil }
            return value
        }
        let transfer = try section("baseTransfer")
        let dxp = try section("dxp")
        self.init(
            copCode: try required(transfer, "baseTransfer", "copCode"),
            copName: try required(transfer, "baseTransfer", "copName"),
            dxpMode: optional(transfer, "dxpMode") ?? "DXP",
            dxpId: try required(transfer, "baseTransfer", "dxpId"),
            note: optional(transfer, "note"),
            dxpSenderId: try required(dxp, "dxp", "senderId"),
            dxpReceiverId: try required(dxp, "dxp", "receiverId"),
            bondedAreaName: optional(root["bondedArea"]?.mapping, "name")
        )
    }
}
