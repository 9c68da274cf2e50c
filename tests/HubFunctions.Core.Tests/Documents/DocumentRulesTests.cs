using HubFunctions.Core.Admission;
using HubFunctions.Core.Documents;

namespace HubFunctions.Core.Tests.Documents;

public sealed class DocumentRulesTests
{
    // 2026-11-28 10:00 in Asia/Shanghai.
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.FromHours(8));

    private static IReadOnlyList<Common.FieldError> Customs(string number, string issuedOn = "2026-10-15", string? sealedMark = "true")
        => DocumentRules.CheckSubmission(new DocumentSubmission(AdmissionDocuments.CustomsDeclaration, issuedOn, number, sealedMark, null, null), Now).Errors;

    [Fact]
    public void DOC_3_an_18_digit_export_number_of_the_declaration_year_sealed_and_recent_is_accepted()
        => Assert.Empty(Customs("530120260123456789"));

    [Theory]
    [InlineData("53012026012345678", "documentNumber")] // 17 digits
    [InlineData("5301202601234567890", "documentNumber")] // 19 digits
    [InlineData("53012026012345678A", "documentNumber")] // a letter
    [InlineData("530120261123456789", "documentNumber")] // digit 9 is 1: import
    [InlineData("530120250123456789", "documentNumber")] // year digits differ from the declaration date
    public void DOC_3_a_number_that_is_not_an_18_digit_export_number_of_the_year_is_refused(string number, string field)
    {
        var error = Assert.Single(Customs(number));
        Assert.Equal(field, error.Field);
        Assert.Equal("DOC-3", error.Code);
    }

    [Theory]
    [InlineData("2026-08-01", true)] // 3 months before November
    [InlineData("2026-11-28", true)]
    [InlineData("2026-07-31", false)] // 4 months old
    public void DOC_3_the_declaration_month_must_be_within_the_last_3_months(string issuedOn, bool accepted)
        => Assert.Equal(accepted, Customs("530120260123456789", issuedOn).Count == 0);

    [Theory]
    [InlineData("false")]
    [InlineData(null)]
    public void DOC_3_a_declaration_not_marked_sealed_is_refused(string? sealedMark)
        => Assert.Equal("sealed", Assert.Single(Customs("530120260123456789", sealedMark: sealedMark)).Field);

    [Fact]
    public void DOC_1_every_field_error_is_listed_at_once()
    {
        var errors = DocumentRules.CheckSubmission(new DocumentSubmission("passport", "2026-13-01", null, "yes", null, null), Now).Errors;
        Assert.Equal(["type", "issuedOn", "sealed"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ADM_9_a_licence_needs_its_entity_name_and_a_valid_USCC()
    {
        var errors = DocumentRules.CheckSubmission(new DocumentSubmission(AdmissionDocuments.BusinessLicence, "2020-01-01", "914403001922038217", null, null, null), Now).Errors;
        Assert.Contains(errors, e => e is { Field: "entityName", Code: "required" });
        Assert.Contains(errors, e => e is { Field: "documentNumber", Code: "ADM-11" });
    }

    [Theory]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31 }, FileKind.Pdf)]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE1 }, FileKind.Jpeg)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, FileKind.Png)]
    [InlineData(new byte[] { 0x4D, 0x5A, 0x90, 0x00 }, null)] // MZ executable
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04 }, null)] // ZIP
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E }, null)] // <html>
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, null)] // a truncated PNG signature
    public void DOC_2_the_kind_comes_from_the_magic_bytes(byte[] head, FileKind? expected)
        => Assert.Equal(expected, FileKinds.Detect(head));

    [Theory]
    [InlineData("licence.pdf", true)]
    [InlineData("营业执照 2026.pdf", true)]
    [InlineData("../../etc/passwd.pdf", false)]
    [InlineData("a\0.pdf", false)]
    [InlineData("invoice\u202Efdp.exe", false)]
    public void DOC_2_file_names_are_plain_names_only(string name, bool accepted)
        => Assert.Equal(accepted, FileKinds.FileNameProblem(name) is null);

    [Fact]
    public void DOC_2_a_file_name_of_1000_characters_is_refused()
        => Assert.NotNull(FileKinds.FileNameProblem(new string('a', 996) + ".pdf"));

    [Theory]
    [InlineData(AdmissionDocuments.BrandAuthorization, "2025-11-28", "2026-11-28")]
    [InlineData(AdmissionDocuments.CustomsDeclaration, "2024-02-29", "2025-02-28")]
    [InlineData(AdmissionDocuments.BusinessLicence, "2025-11-28", null)]
    public void CMP_1_renewable_types_need_renewal_12_calendar_months_after_approval(string type, string approvedOn, string? due)
        => Assert.Equal(due is null ? null : DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            DocumentTypes.RenewalDueOn(type, DateOnly.Parse(approvedOn, System.Globalization.CultureInfo.InvariantCulture)));
}
