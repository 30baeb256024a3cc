namespace Portal.WeChat.Protocol.Permissions;

/// <summary>One permission set (<c>funcscope_category.id</c>) with its names.</summary>
/// <param name="Id">The id WeChat uses in <c>func_info</c> and <c>category_id_list</c>.</param>
/// <param name="NameZh">The Chinese name.</param>
/// <param name="NameEn">The English name.</param>
/// <param name="Side">The account kind it applies to.</param>
/// <param name="MutuallyExclusive">Only one platform per account can hold it (互斥).</param>
/// <param name="IsKnown">False for ids not in the catalogue (named "permission set N").</param>
public sealed record FuncScope(int Id, string NameZh, string NameEn, AccountSide Side, bool MutuallyExclusive, bool IsKnown = true)
{
    /// <summary>The name in the requested language: Chinese unless the culture is English.</summary>
    public string Name(bool english) => english ? NameEn : NameZh;
}
