using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Document uploads for tests: sample files, multipart bodies, and what storage holds.</summary>
public static class DocumentForms
{
    /// <summary>A small PDF (the magic bytes and a little body), distinct per <paramref name="seed"/>.</summary>
    public static byte[] Pdf(string seed = "a") => Encoding.ASCII.GetBytes($"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% {seed}\n%%EOF\n");

    public static byte[] Jpeg(string seed = "a") => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. Encoding.ASCII.GetBytes("JFIF\0" + seed), 0xFF, 0xD9];

    public static byte[] Png(string seed = "a") => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Encoding.ASCII.GetBytes("IHDR" + seed)];

    /// <summary>A PDF of exactly <paramref name="length"/> bytes (random after the magic).</summary>
    public static byte[] PdfOfLength(long length)
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public const string Uscc = "914403001922038216";
    public const string EntityName = "华为技术有限公司";

    /// <summary>An export declaration number of <paramref name="year"/> (digit 9 = 0).</summary>
    public static string CustomsNumber(int year) => $"5301{year}0{"123456789"}";

    /// <summary>A multipart body: the file part (if any) and the text fields given (null values left out).</summary>
    public static MultipartFormDataContent Form(byte[]? file, IDictionary<string, string?> fields, string fileName = "document.pdf", string? fileContentType = "application/pdf")
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                form.Add(new StringContent(value, Encoding.UTF8), name);
            }
        }

        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            if (fileContentType is not null)
            {
                part.Headers.ContentType = new MediaTypeHeaderValue(fileContentType);
            }

            form.Add(part, "file", fileName);
        }

        return form;
    }

    public static Dictionary<string, string?> Licence(string entityName = EntityName, string uscc = Uscc) => new()
    {
        ["type"] = AdmissionDocuments.BusinessLicence,
        ["issuedOn"] = "2020-05-01",
        ["documentNumber"] = uscc,
        ["entityName"] = entityName,
    };

    public static Dictionary<string, string?> Customs(DateOnly declaredOn, string? number = null, string? sealedMark = "true") => new()
    {
        ["type"] = AdmissionDocuments.CustomsDeclaration,
        ["issuedOn"] = declaredOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["documentNumber"] = number ?? CustomsNumber(declaredOn.Year),
        ["sealed"] = sealedMark,
    };

    public static Dictionary<string, string?> Plain(string type) => new() { ["type"] = type, ["issuedOn"] = "2026-01-05" };

    /// <summary>Stores <paramref name="sellerId"/> with the entity name and code the document forms carry (<see cref="TestSellers.SeedSellerAsync"/>).</summary>
    public static Task<string> SeedSeller(DevHostFactory factory, string sellerId) => factory.SeedSellerAsync(sellerId, uscc: Uscc, entityName: EntityName);

    /// <summary>Every blob in the documents container, uncommitted ones included, with its committed length.</summary>
    public static async Task<List<string>> Blobs(StorageNames names)
    {
        var container = new BlobContainerClient(TestStorage.ConnectionString, names.DocumentsContainer);
        if (!(await container.ExistsAsync()).Value)
        {
            return [];
        }

        var blobs = new List<string>();
        await foreach (var b in container.GetBlobsAsync(new GetBlobsOptions { States = BlobStates.All }))
        {
            blobs.Add($"{b.Name}/{b.Properties.ContentLength}");
        }

        return blobs;
    }

}
