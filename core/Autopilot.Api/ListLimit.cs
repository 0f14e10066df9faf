using Microsoft.AspNetCore.Http;

namespace Autopilot.Api;

/// <summary>The "limit" query of every list endpoint (incidents, dead letters, rejected alerts): 1 to 1000, default 100.</summary>
public static class ListLimit
{
    public const int Default = 100;
    public const int Max = 1000;

    /// <summary>A 400 problem naming the field when the limit is out of range; null when it is fine.</summary>
    public static IResult? Problem(int? limit) => limit is <= 0 or > Max
        ? Results.Problem(statusCode: 400, title: "Invalid query", detail: $"limit must be between 1 and {Max}.",
            extensions: new Dictionary<string, object?> { ["field"] = "limit" })
        : null;
}
