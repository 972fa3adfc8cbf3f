// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title Carbon credit registry of the platform.
/// @notice ERC-1155-shaped ledger: one token id per project vintage batch, balances in
/// kilograms of CO2e. Plain Solidity (no OpenZeppelin) so it compiles offline with solc-js.
/// It keeps the ERC-1155 balance reads but not its transfer surface (no approvals, no
/// receiver hooks, no TransferSingle): each action emits exactly one platform event, which
/// is what the off-chain indexer follows. Holders or platform operators move balances.
contract CarbonRegistry {
    struct Project {
        bool registered;
        bool suspended;
        bytes32 bundleHash;
        string metadataUri;
    }

    struct Batch {
        bool minted;
        bytes32 projectKey;
        uint16 vintage;
        uint256 amountKg;
        uint256 serialStart;
        uint256 serialEnd;
    }

    address public owner;
    mapping(address => bool) public isOperator;
    mapping(bytes32 => Project) public projects;
    mapping(uint256 => Batch) public batches;
    mapping(uint256 => uint256) public totalSupply;
    mapping(uint256 => uint256) public retiredKg;
    mapping(uint256 => mapping(address => uint256)) private _balances;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OperatorSet(address indexed operator, bool enabled);
    event ProjectRecordMinted(bytes32 indexed projectKey, bytes32 bundleHash, string metadataUri);
    event ProjectConfigured(bytes32 indexed projectKey, bytes32 bundleHash, string metadataUri);
    event ProjectSuspended(bytes32 indexed projectKey, string reason);
    event CreditsMinted(
        uint256 indexed tokenId,
        bytes32 indexed projectKey,
        uint16 vintage,
        address indexed to,
        uint256 amountKg,
        uint256 serialStart,
        uint256 serialEnd
    );
    event CreditsTransferred(
        uint256 indexed tokenId, address indexed from, address indexed to, uint256 amountKg
    );
    event CreditsRetired(
        uint256 indexed tokenId,
        address indexed holder,
        uint256 amountKg,
        string beneficiary,
        string purpose,
        uint256 serialStart,
        uint256 serialEnd
    );

    modifier onlyOwner() {
        require(msg.sender == owner, "CarbonRegistry: caller is not the owner");
        _;
    }

    modifier onlyOperator() {
        require(isOperator[msg.sender], "CarbonRegistry: caller is not an operator");
        _;
    }

    modifier holderOrOperator(address holder) {
        require(
            msg.sender == holder || isOperator[msg.sender],
            "CarbonRegistry: caller is neither the holder nor an operator"
        );
        _;
    }

    constructor() {
        owner = msg.sender;
        isOperator[msg.sender] = true;
        emit OwnershipTransferred(address(0), msg.sender);
        emit OperatorSet(msg.sender, true);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "CarbonRegistry: new owner is the zero address");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setOperator(address operator, bool enabled) external onlyOwner {
        isOperator[operator] = enabled;
        emit OperatorSet(operator, enabled);
    }

    function registerProject(bytes32 projectKey, bytes32 bundleHash, string calldata metadataUri)
        external
        onlyOperator
    {
        Project storage project = projects[projectKey];
        require(!project.registered, "CarbonRegistry: project already registered");
        project.registered = true;
        project.bundleHash = bundleHash;
        project.metadataUri = metadataUri;
        emit ProjectRecordMinted(projectKey, bundleHash, metadataUri);
    }

    /// @notice Records a new PoAI bundle or metadata for the project and lifts a suspension.
    function configureProject(bytes32 projectKey, bytes32 bundleHash, string calldata metadataUri)
        external
        onlyOperator
    {
        Project storage project = projects[projectKey];
        require(project.registered, "CarbonRegistry: project not registered");
        project.suspended = false;
        project.bundleHash = bundleHash;
        project.metadataUri = metadataUri;
        emit ProjectConfigured(projectKey, bundleHash, metadataUri);
    }

    /// @notice Stops new issuance for the project; existing credits keep moving and retiring.
    function suspendProject(bytes32 projectKey, string calldata reason) external onlyOperator {
        Project storage project = projects[projectKey];
        require(project.registered, "CarbonRegistry: project not registered");
        require(!project.suspended, "CarbonRegistry: project already suspended");
        project.suspended = true;
        emit ProjectSuspended(projectKey, reason);
    }

    function mintBatch(
        uint256 tokenId,
        bytes32 projectKey,
        uint16 vintage,
        uint256 amountKg,
        uint256 serialStart,
        uint256 serialEnd,
        address to
    ) external onlyOperator {
        Project storage project = projects[projectKey];
        require(project.registered, "CarbonRegistry: project not registered");
        require(!project.suspended, "CarbonRegistry: project suspended");
        require(!batches[tokenId].minted, "CarbonRegistry: token id already minted");
        require(to != address(0), "CarbonRegistry: mint to the zero address");
        require(amountKg > 0, "CarbonRegistry: zero amount");
        require(serialStart <= serialEnd, "CarbonRegistry: empty serial range");
        batches[tokenId] = Batch(true, projectKey, vintage, amountKg, serialStart, serialEnd);
        totalSupply[tokenId] = amountKg;
        _balances[tokenId][to] = amountKg;
        emit CreditsMinted(tokenId, projectKey, vintage, to, amountKg, serialStart, serialEnd);
    }

    function transfer(uint256 tokenId, address from, address to, uint256 amountKg)
        external
        holderOrOperator(from)
    {
        require(to != address(0), "CarbonRegistry: transfer to the zero address");
        require(amountKg > 0, "CarbonRegistry: zero amount");
        _debit(tokenId, from, amountKg);
        _balances[tokenId][to] += amountKg;
        emit CreditsTransferred(tokenId, from, to, amountKg);
    }

    /// @notice Burns the holder's credits for good; the serial range is recorded in the event
    /// (the platform allocates ranges so the same tonne is never retired twice).
    function retire(
        uint256 tokenId,
        address holder,
        uint256 amountKg,
        string calldata beneficiary,
        string calldata purpose,
        uint256 serialStart,
        uint256 serialEnd
    ) external holderOrOperator(holder) {
        Batch storage batch = batches[tokenId];
        require(amountKg > 0, "CarbonRegistry: zero amount");
        require(
            batch.serialStart <= serialStart && serialStart <= serialEnd
                && serialEnd <= batch.serialEnd,
            "CarbonRegistry: serial range outside the batch"
        );
        _debit(tokenId, holder, amountKg);
        totalSupply[tokenId] -= amountKg;
        retiredKg[tokenId] += amountKg;
        emit CreditsRetired(
            tokenId, holder, amountKg, beneficiary, purpose, serialStart, serialEnd
        );
    }

    function balanceOf(address account, uint256 tokenId) external view returns (uint256) {
        return _balances[tokenId][account];
    }

    function balanceOfBatch(address[] calldata accounts, uint256[] calldata tokenIds)
        external
        view
        returns (uint256[] memory balances)
    {
        require(accounts.length == tokenIds.length, "CarbonRegistry: length mismatch");
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            balances[i] = _balances[tokenIds[i]][accounts[i]];
        }
    }

    function _debit(uint256 tokenId, address holder, uint256 amountKg) private {
        uint256 balance = _balances[tokenId][holder];
        require(balance >= amountKg, "CarbonRegistry: insufficient balance");
        unchecked {
            _balances[tokenId][holder] = balance - amountKg;
        }
    }
}
