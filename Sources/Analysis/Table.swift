import Foundation

/// A tidy table for other tools: named, typed columns of equal length, each with an
/// optional long name and unit. Written as CSV, as a netCDF-4-compatible HDF5 file (one
/// variable per column over the dimension `row`; `xarray.open_dataset(…).to_dataframe()`
/// gives it back) or as a MATLAB v7.3 file (one variable per column).
package struct Table: Sendable {
    package enum Values: Sendable, Equatable {
        case int([Int64])
        case double([Double])
        case string([String])

        var count: Int {
            switch self {
            case .int(let v): return v.count
            case .double(let v): return v.count
            case .string(let v): return v.count
            }
        }

        func text(_ row: Int) -> String {
            switch self {
            case .int(let v): return String(v[row])
            case .double(let v): return "\(v[row])"
            case .string(let v): return AnalysisFile.field(v[row])
            }
        }
    }

    package struct Column: Sendable {
        package var name: String
        package var values: Values
        package var longName: String?
        package var units: String?

        package init(_ name: String, _ values: Values, longName: String? = nil, units: String? = nil) {
            self.name = name
            self.values = values
            self.longName = longName
            self.units = units
        }
    }

    package var columns: [Column]
    /// Root attributes (title, source, history).
    package var attributes: [String: String]

    package init(columns: [Column], attributes: [String: String] = [:]) {
        self.columns = columns
        self.attributes = attributes
    }

    package var rowCount: Int { columns.first?.values.count ?? 0 }

    /// The values of the column `name`, if any.
    package func column(_ name: String) -> Values? { columns.first { $0.name == name }?.values }
}
