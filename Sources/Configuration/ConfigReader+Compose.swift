import Yams

extension ConfigReader {
    /// The YAML node tree of a configuration's text; an empty text or invalid YAML is a
    /// ``ConfigError`` with the line and column Yams reports.
    package static func compose(_ text: String, file: String) throws(ConfigError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, keyPath: "", "the file is empty")
            }
            return node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw ConfigError(file: file, keyPath: "", "not valid YAML: \(error)")
        }
    }

    private static func yamlError(_ error: YamlError, file: String) -> ConfigError {
        let text = "\(error)"
        // Yams reports "<line>:<column>: error: …" for scanner and parser errors.
        let parts = text.split(separator: ":", maxSplits: 3).map { String($0).trimmingCharacters(in: .whitespaces) }
        if parts.count >= 3, let line = Int(parts[0]), let column = Int(parts[1]) {
            return ConfigError(file: file, line: line, column: column, keyPath: "", "not valid YAML: \(parts.dropFirst(2).joined(separator: ":"))")
        }
        return ConfigError(file: file, keyPath: "", "not valid YAML: \(text)")
    }
}

extension ExperimentConfig {
    /// The configuration a run file stores (its `config` attribute): one experiment as it
    /// ran, its sweep variant applied and an imported model written out, so it is parsed
    /// as it is, without reading other files.
    package static func stored(_ text: String, file: String) throws(ConfigError) -> ExperimentConfig {
        try ExperimentConfig(ConfigReader(node: try ConfigReader.compose(text, file: file), file: file))
    }
}

extension AnalysisConfig {
    /// The `analysis` section of a run file's stored configuration, the lab's default when
    /// there is none. Only that section is read, so it serves runs the lab trained and runs
    /// written by the Python package (`recorded_by`), whose configuration describes a
    /// training the lab did not run and is not an experiment it could run.
    package static func stored(_ text: String, file: String) throws(ConfigError) -> AnalysisConfig {
        let reader = ConfigReader(node: try ConfigReader.compose(text, file: file), file: file)
        guard case .mapping(let mapping) = reader.node else { throw reader.error("expected a mapping (the experiment's configuration)") }
        for (key, value) in mapping where key.string == "analysis" {
            return try AnalysisConfig(reader.child("analysis", value))
        }
        return AnalysisConfig()
    }
}
