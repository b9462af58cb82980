import Foundation
import Yams

/// Finds and reads the cloud configuration the way the OpenStack clients do: `OS_CLOUD` (or a
/// given name) picks an entry of clouds.yaml from `OS_CLIENT_CONFIG_FILE`, ./clouds.yaml,
/// ~/.config/openstack/clouds.yaml or /etc/openstack/clouds.yaml (first found); without a cloud
/// name the `OS_*` variables alone describe it. `OS_*` variables that are set override the
/// file's values (so a password can stay out of the file).
public enum CloudsYAML {
    /// The standard locations, in the order the OpenStack clients search them.
    public static func searchPaths(environment: [String: String], currentDirectory: String) -> [String] {
        var paths: [String] = []
        if let file = environment["OS_CLIENT_CONFIG_FILE"] { paths.append(file) }
        paths.append(currentDirectory + "/clouds.yaml")
        if let home = environment["HOME"] { paths.append(home + "/.config/openstack/clouds.yaml") }
        paths.append("/etc/openstack/clouds.yaml")
        return paths
    }

    /// The cloud to use, from the environment and the first clouds.yaml found.
    public static func load(
        cloud: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> OpenStackCloud {
        guard let name = cloud ?? environment["OS_CLOUD"] else {
            return try OpenStackCloudSettings(environment: environment).cloud(named: "envvars")
        }
        let paths = searchPaths(environment: environment, currentDirectory: currentDirectory)
        guard let path = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw OpenStackConfigError("cloud '\(name)' requested but no clouds.yaml found in \(paths.joined(separator: ", "))")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try parse(text, cloud: name, environment: environment, source: path)
    }

    /// The named cloud of a clouds.yaml text, with `OS_*` overrides from `environment`.
    public static func parse(
        _ text: String, cloud name: String, environment: [String: String] = [:], source: String = "clouds.yaml"
    )
        throws -> OpenStackCloud
    {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw OpenStackConfigError("\(source): not valid YAML: \(error)") }
        guard let clouds = (root as? [String: Any])?["clouds"] as? [String: Any] else {
            throw OpenStackConfigError("\(source): no 'clouds' mapping")
        }
        guard let entry = clouds[name] as? [String: Any] else {
            let known = clouds.keys.sorted().joined(separator: ", ")
            throw OpenStackConfigError("\(source): no cloud named '\(name)' (clouds: \(known))")
        }
        var settings = OpenStackCloudSettings(entry: entry)
        settings.override(with: OpenStackCloudSettings(environment: environment))
        do { return try settings.cloud(named: name) } catch let error as OpenStackConfigError {
            throw OpenStackConfigError("\(source): cloud '\(name)': \(error.description)")
        }
    }
}

/// A configuration that cannot be used, saying what is wrong and where.
public struct OpenStackConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
