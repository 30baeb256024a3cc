namespace Portal.Web.Features.Identity;

public static class Roles
{
    public const string Operator = "Operator";
    public const string Admin = "Admin";
    public const string Ops = "Ops";

    /// <summary>Everyone who may look at stores.</summary>
    public const string AnyStaff = Operator + "," + Admin + "," + Ops;

    public static readonly string[] All = [Operator, Admin, Ops];
}
