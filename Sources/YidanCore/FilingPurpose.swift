/// Why a filing was made. The first declaration of an order files every
/// message with purpose `declare`; later changes to the same order add more
/// filings next to them (history keeps every version and its receipts):
///
/// - `amend`: a new version of an earlier filing (CEB appType 2, same
///   business keys, new message guid);
/// - `cancel`: CEB623 撤销申请单, before release;
/// - `return`: CEB625 退货申请单, within the return window after release;
/// - `reversal`: a tax or FX record undoing an earlier one (negative amounts,
///   naming the filing it reverses), filed with a cancel or a return.
public enum FilingPurpose: String, Sendable, Hashable, CaseIterable {
    case declare
    case amend
    case cancel
    case `return`
    case reversal
}
