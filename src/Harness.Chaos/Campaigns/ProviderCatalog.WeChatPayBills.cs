namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// WeChat Pay's 分账 statements: the 分账账单 (its own and one sub-merchant's) and the 服务商's encrypted fund-flow
    /// bill of one sub-merchant, with the query parameters a merchant sends.
    /// </summary>
    private static Operation[] WeChatPaySharingBillOperations()
    {
        OperationParameter billDate = new("bill_date", "query", "string");
        OperationParameter subMchid = new("sub_mchid", "query", "string");
        OperationParameter tarType = new("tar_type", "query", "string");
        return
        [
            new("GET", "/v3/profitsharing/bills", [billDate, subMchid, tarType], null, Answers),
            new("GET", "/v3/bill/sub-merchant-fundflowbill",
                [subMchid, billDate, new("account_type", "query", "string"), new("algorithm", "query", "string"), tarType], null, Answers),
        ];
    }
}
