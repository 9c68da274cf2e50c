using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>Checks of a claim's goods value (BIL-9): a positive CNY amount with at most 2 decimals.</summary>
public static class Claims
{
    /// <summary>Largest claim accepted (decided here: a sanity bound; larger losses go through a manual process).</summary>
    public const decimal MaxGoodsValueCny = 10_000_000m;

    public static FieldError? CheckGoodsValue(string? raw, out decimal value, string field = "goodsValueCny")
    {
        if (UsageRecords.CheckNumber(raw, field, MaxGoodsValueCny, allowZero: false, out value) is { } error)
        {
            return error with
            {
                Code = error.Code == BillingCodes.Required ? error.Code : BillingCodes.InvalidAmount,
                Message = $"{field} must be a CNY amount greater than 0 and at most {MaxGoodsValueCny:0}, with at most 2 decimals."
            };
        }

        if (value != Money.Round(value))
        {
            value = 0m;
            return new FieldError(field, BillingCodes.InvalidAmount,
                $"{field} must be a CNY amount greater than 0 and at most {MaxGoodsValueCny:0}, with at most 2 decimals.");
        }

        return null;
    }
}
