namespace Portal.Data.Entities;

public enum AuthorizerKind
{
    OfficialAccount = 1,
    MiniProgram = 2,
}
