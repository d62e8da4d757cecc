/// The version of minillm's code, shown by `--version` and recorded in each evaluation's lineage.
public enum MinillmVersion {
    public static let current = "0.1.0"
}
